/**
 * A hostile or broken SFTP client against the server: framing errors end the session (and
 * close everything it opened), bad requests get a STATUS and the session goes on, a flood of
 * opens stops at maxHandles, a client that does not read its replies stops the server
 * reading, and the end of the stream releases every file descriptor.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { OpenFlag, PacketType, StatusCode } from '../../../core/sftp/constants.js';
import { encodePacket } from '../../../core/sftp/packets.js';
import { tempDir } from '../../support/temp-dir.js';
import { waitFor } from '../../support/wait.js';
import { dataOf, handleOf, namesOf, path, Peer, status } from './server-peer.js';
import type { Reply } from './server-peer.js';

const { OPEN, CLOSE, READ, STAT, OPENDIR, REALPATH } = PacketType;
const code = (r: Reply) => status(r).code;

/** File descriptors of this process open on something under `dir`. */
function fdsUnder(dir: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir)) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

async function scene(fn: (home: string) => Promise<void>): Promise<void> {
  const t = tempDir('sftp-abuse');
  try {
    await fn(realpathSync(t.dir));
  } finally {
    t.cleanup();
  }
}

const open = (p: Peer, name: string | Uint8Array, flags: number = OpenFlag.READ) =>
  p.request(OPEN, (w) => w.writeString(name).writeUint32(flags).writeUint32(0));

async function openSome(p: Peer, home: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    handleOf(await open(p, join(home, `f${i}`), OpenFlag.WRITE | OpenFlag.CREAT));
  }
  handleOf(await p.request(OPENDIR, path(home)));
}

for (const [what, bytes] of [
  ['a length over 256 KiB', Buffer.from([0x00, 0x04, 0x00, 0x01, 3, 0, 0, 0, 1])],
  ['a length of 0', Buffer.from([0, 0, 0, 0])],
  ['a second INIT', encodePacket(PacketType.INIT, (w) => w.writeUint32(3))],
  ['a request without an id', encodePacket(STAT, (w) => w.writeByte(1))],
] as const) {
  test(`${what} ends the session and closes what it opened`, async () => {
    await scene(async (home) => {
      const p = await Peer.start({ home });
      await openSome(p, home, 3);
      assert.equal(fdsUnder(home), 4);
      p.raw(bytes);
      await p.served;
      assert.equal(fdsUnder(home), 0);
      p.toServer.end();
    });
  });
}

test('a request before INIT ends the session', async () => {
  await scene(async (home) => {
    const p = new Peer({ home });
    p.raw(encodePacket(REALPATH, (w) => w.writeUint32(1).writeString('.')));
    await p.served;
    assert.equal(p.arrived.length, 0);
  });
});

test('the end of the stream closes every open file and directory', async () => {
  await scene(async (home) => {
    const p = await Peer.start({ home });
    await openSome(p, home, 5);
    assert.equal(fdsUnder(home), 6);
    await p.end();
    assert.equal(fdsUnder(home), 0);
  });
});

test('bad requests get a STATUS and the session goes on', async () => {
  await scene(async (home) => {
    const p = await Peer.start({ home });
    writeFileSync(join(home, 'f'), 'data');
    // a NUL byte in a name
    assert.equal(
      code(await p.request(STAT, path(Buffer.from('f\0../../etc')))),
      StatusCode.BAD_MESSAGE,
    );
    assert.equal(code(await open(p, Buffer.from('f\0x'))), StatusCode.BAD_MESSAGE);
    // handles that do not exist
    assert.equal(
      code(await p.request(READ, (w) => w.writeString('nope').writeUint64(0n).writeUint32(4))),
      StatusCode.FAILURE,
    );
    assert.equal(code(await p.request(CLOSE, path(Buffer.alloc(4)))), StatusCode.FAILURE);
    assert.equal(code(await p.request(CLOSE, path(Buffer.alloc(300, 1)))), StatusCode.FAILURE);
    // a name far past PATH_MAX, and one far past NAME_MAX
    assert.equal(code(await p.request(STAT, path('a/'.repeat(60_000)))), StatusCode.BAD_MESSAGE);
    assert.equal(code(await open(p, 'x'.repeat(1000))), StatusCode.BAD_MESSAGE);
    // attributes that claim more than the packet holds
    const bad = await p.request(PacketType.SETSTAT, (w) =>
      w.writeString('f').writeUint32(0x8000_0000).writeUint32(1e6),
    );
    assert.equal(code(bad), StatusCode.BAD_MESSAGE);
    // still alive
    const h = handleOf(await open(p, 'f'));
    const d = await p.request(READ, (w) => w.writeString(h).writeUint64(0n).writeUint32(100));
    assert.equal(dataOf(d).toString(), 'data');
    await p.end();
  });
});

test('a flood of opens stops at maxHandles with FAILURE; closing frees a slot', async () => {
  await scene(async (home) => {
    writeFileSync(join(home, 'f'), 'x');
    mkdirSync(join(home, 'd'));
    const p = await Peer.start({ home, maxHandles: 8 });
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        i % 3 === 0 ? p.request(OPENDIR, path('d')) : open(p, 'f'),
      ),
    );
    const handles = replies.filter((r) => r.type === PacketType.HANDLE);
    assert.equal(handles.length, 8);
    for (const r of replies)
      if (r.type !== PacketType.HANDLE) assert.equal(code(r), StatusCode.FAILURE);
    assert.equal(code(await open(p, 'f')), StatusCode.FAILURE);
    const first = handles[0];
    assert.ok(first);
    assert.equal(code(await p.request(CLOSE, path(handleOf(first)))), StatusCode.OK);
    handleOf(await open(p, 'f'));
    await p.end();
    assert.equal(fdsUnder(home), 0);
  });
});

test('a client that does not read its replies stops the server reading requests', async () => {
  await scene(async (home) => {
    const data = randomBytes(1024 * 1024);
    writeFileSync(join(home, 'big'), data);
    const p = await Peer.start({ home });
    const h = handleOf(await open(p, 'big'));
    p.fromServer.pause();
    const before = p.arrived.length;
    const chunk = 64 * 1024;
    const reads: Promise<Reply>[] = [];
    for (let i = 0; i < 400; i++) {
      const off = (i % 16) * chunk;
      reads.push(
        p.request(READ, (w) => w.writeString(h).writeUint64(BigInt(off)).writeUint32(chunk)),
      );
    }
    await new Promise((r) => setTimeout(r, 300));
    const buffered = p.fromServer.readableLength + p.fromServer.writableLength;
    // replies pile up only to a bound; the rest of the requests wait unread in the stream
    assert.ok(buffered < 100 * chunk, `buffered ${buffered}`);
    assert.ok(p.toServer.readableLength > 0, 'requests left unread');
    assert.equal(p.arrived.length, before);
    p.fromServer.resume();
    const got = await Promise.all(reads);
    got.forEach((r, i) => {
      const off = (i % 16) * chunk;
      assert.ok(dataOf(r).equals(data.subarray(off, off + chunk)));
    });
    await p.end();
  });
});

test('ten thousand pipelined requests in one write are all answered', async () => {
  await scene(async (home) => {
    const p = await Peer.start({ home });
    const ids: number[] = [];
    const parts: Uint8Array[] = [];
    const waits: Promise<Reply>[] = [];
    for (let i = 0; i < 10_000; i++) {
      const id = p.takeId();
      ids.push(id);
      waits.push(p.expect(id));
      parts.push(encodePacket(REALPATH, (w) => w.writeUint32(id).writeString(i % 2 ? '.' : 'x')));
    }
    p.raw(Buffer.concat(parts));
    const all = await Promise.all(waits);
    assert.equal(all.length, 10_000);
    assert.equal(namesOf(all[1] as Reply)[0]?.name.toString(), home);
    await waitFor(() => p.arrived.length === 10_000, 'all replies');
    await p.end();
  });
});
