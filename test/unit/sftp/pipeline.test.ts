/**
 * pipelinedRead / pipelinedWrite against an in-memory file served by the fake: short reads,
 * replies out of order, EOF mid-pipeline, resume offsets, the request and byte budgets (the
 * fake counts what is outstanding), a slow sink, aborts and errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PacketType, StatusCode } from '../../../core/sftp/constants.js';
import {
  SftpPermissionDeniedError,
  SftpProtocolError,
  SftpFailureError,
} from '../../../core/sftp/errors.js';
import { SftpHandle, type SftpClient } from '../../../core/sftp/client.js';
import { encodePacket } from '../../../core/sftp/packets.js';
import { pipelinedRead, pipelinedWrite } from '../../../core/sftp/pipeline.js';
import { startedClient, type FakeRequest, type FakeSftpServer } from './fake-sftp-server.js';

interface ServeOptions {
  /** Answer with fewer bytes than asked (at most this many) for request number n when true. */
  readonly short?: (n: number) => number | undefined;
  /** Send each tick's batch of replies in reverse (or shuffled) order rather than in order. */
  readonly reorder?: 'reverse' | 'shuffle';
  /** Answer the READ or WRITE at this offset with this status instead. */
  readonly failAt?: { offset: number; code: number };
  /** Answer READ with more bytes than asked. */
  readonly overlong?: boolean;
}

interface Served {
  file: Buffer;
  maxOutstanding: number;
  maxOutstandingBytes: number;
  reads: number;
  writes: number;
  outstanding: number;
  /** Offsets of the READs received, in order. */
  offsets: number[];
}

/** Serves READ and WRITE on `file` (grown by writes) through the fake, counting what is in flight. */
function serve(fake: FakeSftpServer, file: Buffer, o: ServeOptions = {}): Served {
  const s: Served = {
    file,
    maxOutstanding: 0,
    maxOutstandingBytes: 0,
    reads: 0,
    writes: 0,
    outstanding: 0,
    offsets: [],
  };
  let bytesOut = 0;
  let held: (() => void)[] = [];
  const send = (f: () => void, bytes: number): void => {
    const go = (): void => {
      s.outstanding--;
      bytesOut -= bytes;
      f();
    };
    // replies wait for the next turn of the event loop, as a real server's would
    held.push(go);
    if (held.length === 1) {
      setImmediate(() => {
        const batch = held;
        held = [];
        if (o.reorder === 'reverse') batch.reverse();
        else if (o.reorder === 'shuffle') batch.sort(() => Math.random() - 0.5);
        for (const g of batch) g();
      });
    }
  };
  fake.onRequest = (r: FakeRequest) => {
    const rd = r.reader();
    const handle = rd.readString();
    assert.equal(Buffer.from(handle).toString(), 'H');
    const offset = Number(rd.readUint64());
    s.outstanding++;
    if (r.type === PacketType.READ) {
      const len = rd.readUint32();
      s.reads++;
      s.offsets.push(offset);
      bytesOut += len;
      s.maxOutstanding = Math.max(s.maxOutstanding, s.outstanding);
      s.maxOutstandingBytes = Math.max(s.maxOutstandingBytes, bytesOut);
      if (o.failAt?.offset === offset)
        return send(() => fake.status(r.id, o.failAt?.code ?? 4), len);
      if (offset >= s.file.length) return send(() => fake.status(r.id, StatusCode.EOF), len);
      let n = Math.min(len, s.file.length - offset);
      const cap = o.short?.(s.reads);
      if (cap !== undefined) n = Math.min(n, cap);
      const data = s.file.subarray(offset, offset + n);
      const out = o.overlong ? Buffer.concat([data, Buffer.from('!')]) : data;
      return send(() => fake.data(r.id, out), len);
    }
    assert.equal(r.type, PacketType.WRITE);
    const data = rd.readString();
    s.writes++;
    bytesOut += data.length;
    s.maxOutstanding = Math.max(s.maxOutstanding, s.outstanding);
    s.maxOutstandingBytes = Math.max(s.maxOutstandingBytes, bytesOut);
    if (o.failAt?.offset === offset) {
      return send(() => fake.status(r.id, o.failAt?.code ?? 4, 'no space'), data.length);
    }
    if (s.file.length < offset + data.length) {
      const grown = Buffer.alloc(offset + data.length);
      s.file.copy(grown);
      s.file = grown;
    }
    Buffer.from(data).copy(s.file, offset);
    send(() => fake.status(r.id, StatusCode.OK), data.length);
  };
  return s;
}

const H = new SftpHandle(Buffer.from('H'), '/file');

async function readAll(
  client: SftpClient,
  o: Omit<Parameters<typeof pipelinedRead>[2], 'sink'> & {
    sinkDelay?: boolean;
  } = {},
): Promise<{ data: Buffer; bytes: number }> {
  const parts: Buffer[] = [];
  let expectAt = o.offset ?? 0;
  const { bytes } = await pipelinedRead(client, H, {
    ...o,
    sink: (chunk, offset) => {
      assert.equal(offset, expectAt, 'chunks arrive in file order, consecutive');
      expectAt += chunk.length;
      parts.push(Buffer.from(chunk));
      if (o.sinkDelay) return new Promise((r) => setTimeout(r, 1));
      return undefined;
    },
  });
  return { data: Buffer.concat(parts), bytes };
}

test('pipelinedRead: the exact bytes, in order, with many requests in flight', async () => {
  const { fake, client } = await startedClient();
  const file = randomBytes(1_000_003);
  const s = serve(fake, file);
  const { data, bytes } = await readAll(client, { chunkSize: 10_000, maxRequests: 16 });
  assert.equal(bytes, file.length);
  assert.ok(data.equals(file));
  assert.ok(s.maxOutstanding > 1 && s.maxOutstanding <= 16, `max ${s.maxOutstanding}`);
  assert.equal(client.outstanding, 0);
  client.end();
});

test('pipelinedRead: short reads re-request the rest; replies out of order', async () => {
  for (const reorder of ['reverse', 'shuffle'] as const) {
    const { fake, client } = await startedClient();
    const file = randomBytes(300_001);
    const s = serve(fake, file, { reorder, short: (n) => (n % 3 === 0 ? 777 : undefined) });
    const { data } = await readAll(client, { chunkSize: 4096, maxRequests: 8 });
    assert.ok(data.equals(file), reorder);
    assert.ok(s.reads > Math.ceil(file.length / 4096) + 10, 'short reads were re-requested');
    // every short read's rest was asked for at the offset right after what arrived
    assert.equal(client.outstanding, 0);
    client.end();
  }
});

test('pipelinedRead: offset and length (resume), empty file, EOF inside the length', async () => {
  const { fake, client } = await startedClient();
  const file = randomBytes(100_000);
  serve(fake, file, { reorder: 'reverse' });
  const mid = await readAll(client, { offset: 12_345, length: 50_000, chunkSize: 3000 });
  assert.ok(mid.data.equals(file.subarray(12_345, 62_345)));
  const tail = await readAll(client, { offset: 90_000, chunkSize: 3000 });
  assert.ok(tail.data.equals(file.subarray(90_000)));
  const past = await readAll(client, { offset: 95_000, length: 1_000_000, chunkSize: 3000 });
  assert.ok(past.data.equals(file.subarray(95_000)));
  assert.equal((await readAll(client, { offset: 200_000 })).bytes, 0);
  assert.equal((await readAll(client, { length: 0 })).bytes, 0);
  client.end();

  const empty = await startedClient();
  const s = serve(empty.fake, Buffer.alloc(0));
  assert.equal((await readAll(empty.client, { maxRequests: 4 })).bytes, 0);
  assert.ok(s.reads <= 4, 'no more than one window of requests past EOF');
  empty.client.end();
});

test('pipelinedRead: the request count and byte budget are respected, slow sink included', async () => {
  const { fake, client } = await startedClient([], { maxRequests: 5, maxBytesInFlight: 40_000 });
  const file = randomBytes(400_000);
  const s = serve(fake, file, { reorder: 'shuffle' });
  const { data } = await readAll(client, { chunkSize: 10_000, sinkDelay: true });
  assert.ok(data.equals(file));
  assert.ok(s.maxOutstanding <= 4, `requests ${s.maxOutstanding}`);
  assert.ok(s.maxOutstandingBytes <= 40_000, `bytes ${s.maxOutstandingBytes}`);
  // the options beat the client's defaults
  const s2 = serve(fake, file);
  await readAll(client, { chunkSize: 1000, maxRequests: 2, maxBytesInFlight: 1_000_000 });
  assert.equal(s2.maxOutstanding, 2);
  client.end();
});

test('pipelinedRead: a slow sink holds requests back (undelivered bytes count)', async () => {
  const { fake, client } = await startedClient();
  const file = randomBytes(200_000);
  const s = serve(fake, file);
  let release: () => void = () => {};
  let delivered = 0;
  const done = pipelinedRead(client, H, {
    chunkSize: 1000,
    maxBytesInFlight: 10_000,
    sink: (c) => {
      delivered += c.length;
      return new Promise<void>((r) => (release = r));
    },
  });
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(delivered, 1000);
  assert.ok(s.reads <= 11, `reads ${s.reads} while the sink is stuck`);
  const stuck = setInterval(() => release(), 0);
  assert.equal((await done).bytes, file.length);
  clearInterval(stuck);
  client.end();
});

test('pipelinedRead: abort stops issuing, waits for outstanding replies, rejects with the reason', async () => {
  const { fake, client } = await startedClient();
  const file = randomBytes(2_000_000);
  const s = serve(fake, file, { reorder: 'reverse' });
  const ac = new AbortController();
  let got = 0;
  const p = pipelinedRead(client, H, {
    chunkSize: 1000,
    maxRequests: 8,
    signal: ac.signal,
    sink: (c) => {
      got += c.length;
      if (got >= 20_000) ac.abort(new Error('stop now'));
    },
  });
  await assert.rejects(p, /stop now/);
  const readsAtEnd = s.reads;
  assert.equal(s.outstanding, 0, 'every request was answered before the promise settled');
  assert.equal(client.outstanding, 0);
  assert.ok(readsAtEnd < 100, `reads ${readsAtEnd}`);
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(s.reads, readsAtEnd, 'nothing issued after the abort');
  // already aborted: nothing is sent
  await assert.rejects(pipelinedRead(client, H, { signal: ac.signal, sink: () => {} }), /stop now/);
  assert.equal(s.reads, readsAtEnd);
  client.end();
});

test('pipelinedRead: a server error stops it with that error; too much data is a protocol error', async () => {
  const { fake, client } = await startedClient();
  const file = randomBytes(100_000);
  const s = serve(fake, file, { failAt: { offset: 30_000, code: StatusCode.PERMISSION_DENIED } });
  await assert.rejects(
    readAll(client, { chunkSize: 1000, maxRequests: 8 }),
    SftpPermissionDeniedError,
  );
  assert.equal(s.outstanding, 0);
  assert.ok(s.reads < 60, `reads ${s.reads}`);
  client.end();

  const b = await startedClient();
  serve(b.fake, randomBytes(10_000), { overlong: true });
  await assert.rejects(readAll(b.client, { chunkSize: 1000 }), SftpProtocolError);
  b.client.end();
});

test('pipelinedRead: a sink that throws stops the transfer with its error', async () => {
  const { fake, client } = await startedClient();
  const s = serve(fake, randomBytes(100_000));
  await assert.rejects(
    pipelinedRead(client, H, {
      chunkSize: 1000,
      sink: (_c, at) => {
        if (at === 5000) throw new Error('disk full');
      },
    }),
    /disk full/,
  );
  assert.equal(s.outstanding, 0);
  client.end();
});

/** A source handing out `data` in pieces of varying sizes. */
function sourceOf(data: Buffer, sizes: number[]): () => Promise<Uint8Array | null> {
  let at = 0;
  let i = 0;
  return async () => {
    if (at >= data.length) return null;
    const n = sizes[i++ % sizes.length] ?? 1;
    const piece = data.subarray(at, at + n);
    at += piece.length;
    return piece;
  };
}

test('pipelinedWrite: the exact bytes at the right offsets, within the budget', async () => {
  const { fake, client } = await startedClient([], { maxRequests: 6, maxBytesInFlight: 50_000 });
  const data = randomBytes(700_001);
  const s = serve(fake, Buffer.alloc(0), { reorder: 'shuffle' });
  const acked: [number, number][] = [];
  const { bytes } = await pipelinedWrite(client, H, {
    chunkSize: 8192,
    source: sourceOf(data, [100_000, 5, 8192, 30_000, 1]),
    onWritten: (at, n) => acked.push([at, n]),
  });
  assert.equal(bytes, data.length);
  // every acknowledged WRITE reported once: together they tile the file exactly
  acked.sort((a, b) => a[0] - b[0]);
  let end = 0;
  for (const [at, n] of acked) {
    assert.equal(at, end);
    end += n;
  }
  assert.equal(end, data.length);
  assert.ok(s.file.equals(data));
  assert.ok(s.maxOutstanding > 1 && s.maxOutstanding <= 6, `requests ${s.maxOutstanding}`);
  assert.ok(s.maxOutstandingBytes <= 50_000, `bytes ${s.maxOutstandingBytes}`);
  assert.equal(client.outstanding, 0);
  // resume at an offset
  const tail = randomBytes(20_000);
  await pipelinedWrite(client, H, { offset: 700_001, source: sourceOf(tail, [7000]) });
  assert.ok(s.file.equals(Buffer.concat([data, tail])));
  client.end();
});

test('pipelinedWrite: the first error stops issuing and rejects once replies are in', async () => {
  const { fake, client } = await startedClient();
  const s = serve(fake, Buffer.alloc(0), { failAt: { offset: 40_000, code: StatusCode.FAILURE } });
  await assert.rejects(
    pipelinedWrite(client, H, {
      chunkSize: 1000,
      maxRequests: 4,
      source: sourceOf(randomBytes(1_000_000), [1000]),
    }),
    (e: unknown) => {
      assert.ok(e instanceof SftpFailureError);
      assert.match(e.message, /write \/file: no space/);
      return true;
    },
  );
  assert.equal(s.outstanding, 0);
  assert.ok(s.writes <= 45, `writes ${s.writes}`);
  client.end();
});

test('pipelinedWrite: abort and a failing source reject after outstanding replies', async () => {
  const { fake, client } = await startedClient();
  const s = serve(fake, Buffer.alloc(0), { reorder: 'reverse' });
  const ac = new AbortController();
  let pulls = 0;
  const data = randomBytes(1000);
  await assert.rejects(
    pipelinedWrite(client, H, {
      signal: ac.signal,
      source: async () => {
        if (++pulls === 30) ac.abort(new Error('cancelled'));
        return data;
      },
    }),
    /cancelled/,
  );
  assert.equal(s.outstanding, 0);
  assert.ok(pulls <= 31);
  await assert.rejects(
    pipelinedWrite(client, H, {
      source: async () => {
        throw new Error('local read failed');
      },
    }),
    /local read failed/,
  );
  client.end();
});

test('pipelinedRead sinkParts: replies that arrive in pieces come through as parts, in order', async () => {
  const { fake, client } = await startedClient();
  const file = randomBytes(200_003);
  fake.onRequest = (r) => {
    const rd = r.reader();
    rd.readString();
    const offset = Number(rd.readUint64());
    const len = rd.readUint32();
    if (offset >= file.length) return fake.status(r.id, StatusCode.EOF);
    const data = file.subarray(offset, offset + len);
    const reply = encodePacket(PacketType.DATA, (w) => w.writeUint32(r.id).writeString(data));
    // the reply in pieces of 3000 bytes, as a channel hands over a big DATA
    for (let at = 0; at < reply.length; at += 3000) fake.send(reply.slice(at, at + 3000));
  };
  const got: Buffer[] = [];
  let multi = 0;
  let expectAt = 0;
  const { bytes } = await pipelinedRead(client, H, {
    chunkSize: 20_000,
    sinkParts: (parts, offset, length) => {
      assert.equal(offset, expectAt, 'in file order, consecutive');
      assert.equal(
        parts.reduce((n, p) => n + p.length, 0),
        length,
      );
      if (parts.length > 1) multi++;
      expectAt += length;
      got.push(...parts.map((p) => Buffer.from(p)));
    },
  });
  assert.equal(bytes, file.length);
  assert.ok(Buffer.concat(got).equals(file));
  assert.ok(multi > 5, `${multi} replies came in several parts`);
  client.end();
});

test('pipelinedRead wants exactly one of sink and sinkParts', async () => {
  const { client } = await startedClient();
  assert.throws(() => pipelinedRead(client, H, {}), TypeError);
  assert.throws(
    () => pipelinedRead(client, H, { sink: () => {}, sinkParts: () => {} }),
    /exactly one of sink and sinkParts/,
  );
  client.end();
});
