/**
 * A hostile or broken server under download(): directory entries named '..', 'a/b', or listed
 * twice are refused one by one (nothing is written outside the target), and a server that
 * dies or breaks the protocol mid-tree ends the call with a TransferError instead of failing
 * every remaining file; DATA longer than asked is a protocol error; a failed WRITE of a file
 * sent in one flight is cut back. The server is the scripted fake, answering by rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PacketType, StatusCode } from '../../../core/sftp/constants.js';
import { SftpConnectionLostError, SftpProtocolError } from '../../../core/sftp/errors.js';
import { readAttrs } from '../../../core/sftp/attrs.js';
import {
  download,
  upload,
  SMALL_FILE_FACTOR,
  TransferError,
} from '../../../core/sftp/transfer/index.js';
import { tempDir } from '../../support/temp-dir.js';
import { startedClient, type FakeName, type FakeSftpServer } from './fake-sftp-server.js';

const DIR = 0o40755;
const FILE = 0o100644;

/** Answers STAT/OPENDIR/READDIR/CLOSE/OPEN/READ/FSTAT for one directory '/t' of `entries`. */
function serveTree(
  fake: FakeSftpServer,
  entries: FakeName[],
  files: Record<string, Buffer>,
  onOpen: (path: string) => boolean = () => true,
): void {
  const handles = new Map<string, string>();
  let listed = false;
  let next = 0;
  fake.onRequest = (req) => {
    const r = req.reader();
    switch (req.type) {
      case PacketType.STAT:
      case PacketType.LSTAT: {
        const path = Buffer.from(r.readString()).toString();
        if (path === '/t') return fake.attrs(req.id, { permissions: DIR });
        const f = files[path];
        if (f === undefined) return fake.status(req.id, StatusCode.NO_SUCH_FILE);
        return fake.attrs(req.id, { permissions: FILE, size: f.length });
      }
      case PacketType.OPENDIR:
      case PacketType.OPEN: {
        const path = Buffer.from(r.readString()).toString();
        if (!onOpen(path)) return;
        const h = `h${next++}`;
        handles.set(h, path);
        return fake.handle(req.id, h);
      }
      case PacketType.READDIR:
        if (listed) return fake.status(req.id, StatusCode.EOF);
        listed = true;
        return fake.names(req.id, entries);
      case PacketType.READ: {
        const path = handles.get(Buffer.from(r.readString()).toString()) ?? '';
        const offset = Number(r.readUint64());
        const len = r.readUint32();
        const f = files[path] ?? Buffer.alloc(0);
        if (offset >= f.length) return fake.status(req.id, StatusCode.EOF);
        return fake.data(req.id, f.subarray(offset, offset + len));
      }
      case PacketType.FSTAT: {
        const path = handles.get(Buffer.from(r.readString()).toString()) ?? '';
        return fake.attrs(req.id, { permissions: FILE, size: files[path]?.length ?? 0 });
      }
      case PacketType.CLOSE:
        return fake.status(req.id, StatusCode.OK);
      default:
        return fake.status(req.id, StatusCode.OP_UNSUPPORTED);
    }
  };
}

test("entry names '..', 'a/b', '' and duplicates are refused; nothing escapes the target", async () => {
  const t = tempDir('transfer-hostile');
  try {
    const { fake, client } = await startedClient();
    const file = { permissions: FILE, size: 2 };
    serveTree(
      fake,
      [
        { name: '.', attrs: { permissions: DIR } },
        { name: '..', attrs: { permissions: DIR } },
        { name: '../evil', attrs: file },
        { name: 'a/b', attrs: file },
        { name: '', attrs: file },
        { name: 'ok', attrs: file },
        { name: 'ok', attrs: file },
      ],
      { '/t/ok': Buffer.from('hi'), '/t/../evil': Buffer.from('no'), '/t/a/b': Buffer.from('no') },
    );
    const target = join(t.dir, 'inside', 'tree');
    mkdirSync(join(t.dir, 'inside'));
    const r = await download(client, '/t', target, { recursive: true });
    assert.equal(r.files, 1);
    assert.equal(readFileSync(join(target, 'ok'), 'utf8'), 'hi');
    assert.equal(r.failures.length, 4);
    for (const f of r.failures) assert.ok(f.error instanceof TransferError);
    assert.deepEqual(
      r.failures.map((f) => f.path),
      ['/t/../evil', '/t/a/b', '/t/', '/t/ok'],
    );
    assert.match(r.failures[3]?.error.message ?? '', /listed twice/);
    assert.deepEqual(readdirSync(join(t.dir, 'inside')), ['tree']);
    assert.deepEqual(readdirSync(target), ['ok']);
    assert.equal(existsSync(join(t.dir, 'evil')), false);
    client.end();
  } finally {
    t.cleanup();
  }
});

test('the server going away mid-tree ends the call with one TransferError', async () => {
  const t = tempDir('transfer-hostile');
  try {
    const { fake, client } = await startedClient();
    const entries: FakeName[] = [];
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 50; i++) {
      entries.push({ name: `f${i}`, attrs: { permissions: FILE, size: 3 } });
      files[`/t/f${i}`] = Buffer.from(`f${i}`.padEnd(3, '-'));
    }
    // the 20th OPEN ends the stream: by then all but the files holding places were here
    const failAt = 20;
    const concurrency = 2;
    let opens = 0;
    serveTree(fake, entries, files, (path) => {
      if (path.startsWith('/t/') && ++opens === failAt) {
        fake.end(); // the stream ends under the pending OPEN
        return false;
      }
      return true;
    });
    await assert.rejects(
      download(client, '/t', join(t.dir, 'tree'), { recursive: true, concurrency }),
      (e: unknown) => {
        assert.ok(e instanceof TransferError);
        assert.ok(e.cause instanceof SftpConnectionLostError);
        return true;
      },
    );
    const got = readdirSync(join(t.dir, 'tree')).filter((n) => !n.endsWith('.part'));
    const atLeast = failAt - 1 - SMALL_FILE_FACTOR * concurrency;
    assert.ok(got.length >= atLeast && got.length < 50, `${got.length} files before the end`);
  } finally {
    t.cleanup();
  }
});

test('DATA longer than its READ asked is a protocol error, for a file read in one flight or pipelined', async () => {
  const t = tempDir('transfer-hostile');
  try {
    for (const size of [1000, 600_000]) {
      const { fake, client } = await startedClient();
      const files = { '/t/f': Buffer.alloc(size, 7) };
      serveTree(fake, [], files);
      const honest = fake.onRequest;
      fake.onRequest = (req) => {
        if (req.type !== PacketType.READ) return honest?.(req);
        const r = req.reader();
        r.readString();
        const offset = Number(r.readUint64());
        const len = r.readUint32();
        if (offset >= size) return fake.status(req.id, StatusCode.EOF);
        return fake.data(req.id, Buffer.alloc(len + 1, 7)); // one byte too many
      };
      const target = join(t.dir, `f${size}`);
      await assert.rejects(download(client, '/t/f', target), (e: unknown) => {
        assert.ok(e instanceof TransferError, String(e));
        assert.ok(e.cause instanceof SftpProtocolError, String(e.cause));
        assert.match(e.message, /bytes where \d+ were asked/);
        return true;
      });
      assert.equal(existsSync(target), false, 'nothing published');
      client.end();
    }
  } finally {
    t.cleanup();
  }
});

test('a failed WRITE of a file sent in one flight cuts the remote file back, by path', async () => {
  const t = tempDir('transfer-hostile');
  try {
    const { fake, client } = await startedClient();
    const seen: string[] = [];
    fake.onRequest = (req) => {
      const r = req.reader();
      switch (req.type) {
        case PacketType.STAT:
          return fake.status(req.id, StatusCode.NO_SUCH_FILE);
        case PacketType.OPEN:
          seen.push('open');
          return fake.handle(req.id, 'h');
        case PacketType.WRITE:
          seen.push('write');
          return fake.status(req.id, StatusCode.FAILURE, 'disk full');
        case PacketType.CLOSE:
          seen.push('close');
          return fake.status(req.id, StatusCode.OK);
        case PacketType.SETSTAT: {
          const path = Buffer.from(r.readString()).toString();
          seen.push(`setstat ${path} size ${String(readAttrs(r).size)}`);
          return fake.status(req.id, StatusCode.OK);
        }
        default:
          return fake.status(req.id, StatusCode.OP_UNSUPPORTED);
      }
    };
    const local = join(t.dir, 'small.bin');
    writeFileSync(local, Buffer.alloc(5000, 1));
    await assert.rejects(upload(client, local, '/r/small.bin'), (e: unknown) => {
      assert.ok(e instanceof TransferError, String(e));
      assert.match(e.message, /disk full/);
      return true;
    });
    assert.deepEqual(seen, ['open', 'write', 'close', 'setstat /r/small.bin size 0']);
    client.end();
  } finally {
    t.cleanup();
  }
});
