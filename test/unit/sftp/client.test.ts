/**
 * SftpClient against the scripted fake: the INIT/VERSION exchange, the exact bytes of every
 * request (draft-ietf-secsh-filexfer-02 §6, OpenSSH PROTOCOL §4), every reply type decoded,
 * and STATUS codes mapped to their error classes with the request and path named.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PacketType,
  StatusCode,
  Extension,
  EXTENSION_VERSIONS,
} from '../../../core/sftp/constants.js';
import {
  SftpBadMessageError,
  SftpConnectionLostError,
  SftpEofError,
  SftpError,
  SftpFailureError,
  SftpNoConnectionError,
  SftpNoSuchFileError,
  SftpOpUnsupportedError,
  SftpPermissionDeniedError,
} from '../../../core/sftp/errors.js';
import { SftpClient, SftpHandle } from '../../../core/sftp/client.js';
import { FakeSftpServer, startedClient, type FakeRequest } from './fake-sftp-server.js';

// An encoder written out by hand, independent of SshWriter, for the expected bytes.
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const u64 = (n: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};
const str = (s: string | Uint8Array): Buffer => {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : Buffer.from(s);
  return Buffer.concat([u32(b.length), b]);
};
const pkt = (type: number, ...fields: Buffer[]): Buffer => {
  const body = Buffer.concat([Buffer.from([type]), ...fields]);
  return Buffer.concat([u32(body.length), body]);
};
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const ALL_EXTENSIONS = Object.entries(EXTENSION_VERSIONS).filter(
  ([n]) => n !== Extension.LIMITS,
) as [string, string][];

/** Runs `call`, answers its one request with `answer`, returns the request and the result. */
async function exchange<T>(
  fake: FakeSftpServer,
  call: () => Promise<T>,
  answer: (r: FakeRequest) => void,
): Promise<{ req: FakeRequest; result: T }> {
  const p = call();
  const req = await fake.next();
  answer(req);
  return { req, result: await p };
}

test('start: INIT is version 3; VERSION extensions are kept with their versions', async () => {
  const fake = new FakeSftpServer();
  const started = SftpClient.start(fake.stream);
  const init = await fake.next();
  assert.equal(hex(init.bytes), '000000050100000003');
  fake.version([
    ['posix-rename@openssh.com', '1'],
    ['statvfs@openssh.com', '2'],
    ['statvfs@openssh.com', '3'],
  ]);
  const c = await started;
  assert.equal(c.version, 3);
  assert.equal(c.extensions.get('posix-rename@openssh.com'), '1');
  assert.equal(c.extensions.get('statvfs@openssh.com'), '2');
  assert.equal(c.hasExtension('statvfs@openssh.com', '3'), true);
  assert.equal(c.hasExtension('statvfs@openssh.com', '1'), false);
  assert.equal(c.hasExtension('hardlink@openssh.com'), false);
  assert.deepEqual(c.limits, {
    maxPacketLength: 34000,
    maxReadLength: 32768,
    maxWriteLength: 32768,
    maxOpenHandles: 0,
  });
  c.end();
  assert.equal(await c.closed, null);
  assert.equal(fake.closedByClient, true);
});

test('start: limits@openssh.com is asked for when advertised and bounds reads and writes', async () => {
  for (const [sent, want] of [
    [
      [262144, 261120, 261120, 1000],
      [262144, 261120, 261120, 1000],
    ],
    [
      [1 << 24, 1 << 24, 1 << 24, 0],
      [262144, 261120, 261120, 0],
    ],
    [
      [0, 0, 0, 0],
      [34000, 32768, 32768, 0],
    ],
  ] as const) {
    const fake = new FakeSftpServer();
    const started = SftpClient.start(fake.stream);
    await fake.next();
    fake.version([['limits@openssh.com', '1']]);
    const q = await fake.next();
    assert.equal(hex(q.bytes), hex(pkt(200, u32(q.id), str('limits@openssh.com'))));
    fake.extendedReply(q.id, (w) => {
      for (const n of sent) w.writeUint64(BigInt(n));
    });
    const c = await started;
    assert.deepEqual(
      [
        c.limits.maxPacketLength,
        c.limits.maxReadLength,
        c.limits.maxWriteLength,
        c.limits.maxOpenHandles,
      ],
      want,
    );
    const raw = exchange(
      fake,
      () => c.queryLimits(),
      (r) =>
        fake.extendedReply(r.id, (w) => {
          for (const n of sent) w.writeUint64(BigInt(n));
        }),
    );
    const { result } = await raw;
    assert.deepEqual(
      [result.maxPacketLength, result.maxReadLength, result.maxWriteLength, result.maxOpenHandles],
      sent,
    );
    c.end();
  }
});

test('file requests: open, read, write, close, fstat, fsetstat encode per §6 and decode', async () => {
  const { fake, client } = await startedClient();
  const opened = await exchange(
    fake,
    () => client.open('/tmp/f', 'w', { permissions: 0o644 }),
    (r) => fake.handle(r.id, 'H1'),
  );
  assert.equal(
    hex(opened.req.bytes),
    hex(pkt(3, u32(opened.req.id), str('/tmp/f'), u32(0x1a), u32(4), u32(0o644))),
  );
  const h = opened.result;
  assert.ok(h instanceof SftpHandle);
  assert.equal(Buffer.from(h.bytes).toString(), 'H1');
  assert.equal(h.path, '/tmp/f');

  for (const [mode, flags] of [
    ['r', 1],
    ['r+', 3],
    ['w+', 0x1b],
    ['wx', 0x2a],
    ['a', 0x0e],
    ['a+', 0x0f],
    [0x21, 0x21],
  ] as const) {
    const o = await exchange(
      fake,
      () => client.open('x', mode),
      (r) => fake.handle(r.id, 'h'),
    );
    assert.equal(hex(o.req.bytes), hex(pkt(3, u32(o.req.id), str('x'), u32(flags), u32(0))));
  }
  await assert.rejects(client.open('x', 0x40), RangeError);
  await assert.rejects(client.read(new SftpHandle(new Uint8Array(1), 'h'), -1, 5), RangeError);

  const rd = await exchange(
    fake,
    () => client.read(h, 2 ** 40 + 5, 1000),
    (r) => fake.data(r.id, Buffer.from('hello')),
  );
  assert.equal(
    hex(rd.req.bytes),
    hex(pkt(5, u32(rd.req.id), str('H1'), u64(2 ** 40 + 5), u32(1000))),
  );
  assert.equal(Buffer.from(rd.result ?? []).toString(), 'hello');
  const eof = await exchange(
    fake,
    () => client.read(h, 0, 10),
    (r) => fake.status(r.id, 1),
  );
  assert.equal(eof.result, null);

  const data = Buffer.from('some bytes');
  const wr = await exchange(
    fake,
    () => client.write(h, 9, data),
    (r) => fake.status(r.id, 0),
  );
  assert.equal(hex(wr.req.bytes), hex(pkt(6, u32(wr.req.id), str('H1'), u64(9), str(data))));

  const fs = await exchange(
    fake,
    () => client.fstat(h),
    (r) =>
      fake.attrs(r.id, { size: 12, uid: 1, gid: 2, permissions: 0o100600, atime: 3, mtime: 4 }),
  );
  assert.equal(hex(fs.req.bytes), hex(pkt(8, u32(fs.req.id), str('H1'))));
  assert.deepEqual(fs.result, {
    size: 12,
    uid: 1,
    gid: 2,
    permissions: 0o100600,
    atime: 3,
    mtime: 4,
  });

  const fss = await exchange(
    fake,
    () => client.fsetstat(h, { atime: 5, mtime: 6 }),
    (r) => fake.status(r.id, 0),
  );
  assert.equal(
    hex(fss.req.bytes),
    hex(pkt(10, u32(fss.req.id), str('H1'), u32(8), u32(5), u32(6))),
  );

  const cl = await exchange(
    fake,
    () => client.close(h),
    (r) => fake.status(r.id, 0),
  );
  assert.equal(hex(cl.req.bytes), hex(pkt(4, u32(cl.req.id), str('H1'))));
  client.end();
});

test('write splits at limits.maxWriteLength, all pieces in flight together', async () => {
  const { fake, client } = await startedClient();
  const h = new SftpHandle(Buffer.from('h'), 'f');
  const data = Buffer.alloc(70000, 7);
  const p = client.write(h, 100, data);
  const reqs = [await fake.next(), await fake.next(), await fake.next()];
  assert.equal(client.outstanding, 3);
  const parts = reqs.map((r) => {
    const rd = r.reader();
    rd.readString();
    return [Number(rd.readUint64()), rd.readString().length];
  });
  assert.deepEqual(parts, [
    [100, 32768],
    [100 + 32768, 32768],
    [100 + 65536, 70000 - 65536],
  ]);
  for (const r of reqs.reverse()) fake.status(r.id, 0);
  await p;
  // one piece failing fails the write after every piece is answered
  const q = client.write(h, 0, data);
  const more = [await fake.next(), await fake.next(), await fake.next()];
  fake.status(more[1]?.id ?? -1, StatusCode.FAILURE, 'disk full');
  fake.status(more[0]?.id ?? -1, 0);
  fake.status(more[2]?.id ?? -1, 0);
  await assert.rejects(q, SftpFailureError);
  assert.equal(client.outstanding, 0);
  client.end();
});

test('path requests encode per §6 and decode ATTRS and NAME', async () => {
  const { fake, client } = await startedClient();
  const attrs = { permissions: 0o40755 };
  const one = async (
    call: () => Promise<unknown>,
    expect: (id: number) => Buffer,
    answer: (r: FakeRequest) => void,
  ): Promise<unknown> => {
    const { req, result } = await exchange(fake, call, answer);
    assert.equal(hex(req.bytes), hex(expect(req.id)));
    return result;
  };
  const ok = (r: FakeRequest): void => fake.status(r.id, 0);
  const nameOf = (n: string) => (r: FakeRequest) => fake.names(r.id, [{ name: n, longname: 'l' }]);

  assert.deepEqual(
    await one(
      () => client.stat('/s'),
      (id) => pkt(17, u32(id), str('/s')),
      (r) => fake.attrs(r.id, attrs),
    ),
    attrs,
  );
  assert.deepEqual(
    await one(
      () => client.lstat('/l'),
      (id) => pkt(7, u32(id), str('/l')),
      (r) => fake.attrs(r.id, {}),
    ),
    {},
  );
  await one(
    () => client.setstat('/s', { size: 3 }),
    (id) => pkt(9, u32(id), str('/s'), u32(1), u64(3)),
    ok,
  );
  await one(
    () => client.remove('/r'),
    (id) => pkt(13, u32(id), str('/r')),
    ok,
  );
  await one(
    () => client.mkdir('/d', { permissions: 0o700 }),
    (id) => pkt(14, u32(id), str('/d'), u32(4), u32(0o700)),
    ok,
  );
  await one(
    () => client.mkdir('/e'),
    (id) => pkt(14, u32(id), str('/e'), u32(0)),
    ok,
  );
  await one(
    () => client.rmdir('/d'),
    (id) => pkt(15, u32(id), str('/d')),
    ok,
  );
  assert.equal(
    await one(
      () => client.realpath('.'),
      (id) => pkt(16, u32(id), str('.')),
      nameOf('/home/u'),
    ),
    '/home/u',
  );
  await one(
    () => client.rename('/a', '/b'),
    (id) => pkt(18, u32(id), str('/a'), str('/b')),
    ok,
  );
  assert.equal(
    await one(
      () => client.readlink('/ln'),
      (id) => pkt(19, u32(id), str('/ln')),
      nameOf('target'),
    ),
    'target',
  );
  // OpenSSH's order: targetpath first, then linkpath (PROTOCOL §4.1)
  await one(
    () => client.symlink('/target', '/link'),
    (id) => pkt(20, u32(id), str('/target'), str('/link')),
    ok,
  );

  // a path that is not UTF-8 goes out byte for byte
  const raw = new Uint8Array([0x2f, 0xff, 0xfe]);
  await one(
    () => client.remove(raw),
    (id) => pkt(13, u32(id), str(raw)),
    ok,
  );
  client.end();
});

test('opendir / readdir / list: NAME batches in server order, EOF ends, handle closed', async () => {
  const { fake, client } = await startedClient();
  const batches: string[][] = [];
  const listed = client.list('/dir', (b) => batches.push(b.map((e) => e.filename)));
  const od = await fake.next();
  assert.equal(hex(od.bytes), hex(pkt(11, u32(od.id), str('/dir'))));
  fake.handle(od.id, 'D');
  const r1 = await fake.next();
  assert.equal(hex(r1.bytes), hex(pkt(12, u32(r1.id), str('D'))));
  fake.names(r1.id, [
    { name: '.', longname: 'drwx . ', attrs: { permissions: 0o40700 } },
    { name: '..' },
    { name: new Uint8Array([0x61, 0xff]), longname: '-rw a', attrs: { size: 5 } },
  ]);
  const r2 = await fake.next();
  fake.names(r2.id, [{ name: 'z' }]);
  const r3 = await fake.next();
  fake.status(r3.id, StatusCode.EOF);
  const close = await fake.next();
  assert.equal(hex(close.bytes), hex(pkt(4, u32(close.id), str('D'))));
  fake.status(close.id, 0);
  const all = await listed;
  assert.deepEqual(batches, [['.', '..', 'a\ufffd'], ['z']]);
  assert.deepEqual(
    all.map((e) => e.filename),
    ['.', '..', 'a\ufffd', 'z'],
  );
  assert.deepEqual([...(all[2]?.filenameBytes ?? [])], [0x61, 0xff]);
  assert.equal(all[0]?.longname, 'drwx . ');
  assert.deepEqual(all[2]?.attrs, { size: 5 });

  // a readdir error closes the handle and rejects with the error
  const failing = client.list('/x');
  const o2 = await fake.next();
  fake.handle(o2.id, 'E');
  const rd = await fake.next();
  fake.status(rd.id, StatusCode.PERMISSION_DENIED, 'nope');
  const c2 = await fake.next();
  assert.equal(c2.type, PacketType.CLOSE);
  fake.status(c2.id, 0);
  await assert.rejects(failing, SftpPermissionDeniedError);
  client.end();
});

test('OpenSSH extensions encode per PROTOCOL §4 and decode their replies', async () => {
  const { fake, client } = await startedClient(ALL_EXTENSIONS);
  const h = new SftpHandle(Buffer.from('HH'), '/f');
  const h2 = new SftpHandle(Buffer.from('GG'), '/g');
  const ext =
    (name: string, ...f: Buffer[]) =>
    (id: number) =>
      pkt(200, u32(id), str(name), ...f);
  const ok = (r: FakeRequest): void => fake.status(r.id, 0);
  const one = async (
    call: () => Promise<unknown>,
    expect: (id: number) => Buffer,
    answer: (r: FakeRequest) => void,
  ): Promise<unknown> => {
    const { req, result } = await exchange(fake, call, answer);
    assert.equal(hex(req.bytes), hex(expect(req.id)));
    return result;
  };
  const vfs = [4096, 4096, 1000, 500, 400, 100, 50, 40, 2 ** 53 + 2, 1, 255];
  const vfsReply = (r: FakeRequest): void =>
    fake.extendedReply(r.id, (w) => {
      for (const n of vfs) w.writeUint64(BigInt(n));
    });
  const vfsObject = {
    bsize: 4096,
    frsize: 4096,
    blocks: 1000,
    bfree: 500,
    bavail: 400,
    files: 100,
    ffree: 50,
    favail: 40,
    fsid: 2 ** 53 + 2,
    flag: 1,
    namemax: 255,
  };
  assert.deepEqual(
    await one(() => client.statvfs('/'), ext('statvfs@openssh.com', str('/')), vfsReply),
    vfsObject,
  );
  assert.deepEqual(
    await one(() => client.fstatvfs(h), ext('fstatvfs@openssh.com', str('HH')), vfsReply),
    vfsObject,
  );
  await one(
    () => client.posixRename('/a', '/b'),
    ext('posix-rename@openssh.com', str('/a'), str('/b')),
    ok,
  );
  await one(
    () => client.hardlink('/a', '/c'),
    ext('hardlink@openssh.com', str('/a'), str('/c')),
    ok,
  );
  await one(() => client.fsync(h), ext('fsync@openssh.com', str('HH')), ok);
  await one(
    () => client.lsetstat('/l', { uid: 7, gid: 8 }),
    ext('lsetstat@openssh.com', str('/l'), u32(2), u32(7), u32(8)),
    ok,
  );
  assert.equal(
    await one(
      () => client.expandPath('~/x'),
      ext('expand-path@openssh.com', str('~/x')),
      (r) => fake.names(r.id, [{ name: '/home/u/x' }]),
    ),
    '/home/u/x',
  );
  await one(
    () => client.copyData(h, 10, 0, h2, 2 ** 33),
    ext('copy-data', str('HH'), u64(10), u64(0), str('GG'), u64(2 ** 33)),
    ok,
  );
  assert.equal(
    await one(
      () => client.homeDirectory(),
      ext('home-directory', str('')),
      (r) => fake.names(r.id, [{ name: '/home/me' }]),
    ),
    '/home/me',
  );
  assert.equal(
    await one(
      () => client.homeDirectory('root'),
      ext('home-directory', str('root')),
      (r) => fake.names(r.id, [{ name: '/root' }]),
    ),
    '/root',
  );
  assert.deepEqual(
    await one(
      () => client.usersGroupsById([0, 1000], [5]),
      ext('users-groups-by-id@openssh.com', str(Buffer.concat([u32(0), u32(1000)])), str(u32(5))),
      (r) =>
        fake.extendedReply(r.id, (w) => {
          w.writeString(Buffer.concat([str('root'), str('')]));
          w.writeString(str('tty'));
        }),
    ),
    { users: ['root', ''], groups: ['tty'] },
  );
  // raw extended: EXTENDED_REPLY data, or null for STATUS OK; sent even if not advertised
  assert.equal(
    hex(
      (await one(
        () => client.extended('x@y', Buffer.from([1, 2])),
        (id) => pkt(200, u32(id), str('x@y'), Buffer.from([1, 2])),
        (r) => fake.extendedReply(r.id, (w) => w.writeBytes(Buffer.from([9, 8, 7]))),
      )) as Uint8Array,
    ),
    '090807',
  );
  assert.equal(await one(() => client.extended('x@y', new Uint8Array(0)), ext('x@y'), ok), null);
  client.end();
});

test('an extension the server did not advertise is refused without sending', async () => {
  const { fake, client } = await startedClient([['statvfs@openssh.com', '1']]);
  const before = fake.requests.length;
  const h = new SftpHandle(Buffer.from('h'), '/f');
  const calls: (() => Promise<unknown>)[] = [
    () => client.statvfs('/'), // advertised, but at version 1, not 2
    () => client.fstatvfs(h),
    () => client.posixRename('/a', '/b'),
    () => client.hardlink('/a', '/b'),
    () => client.fsync(h),
    () => client.lsetstat('/a', {}),
    () => client.queryLimits(),
    () => client.expandPath('~'),
    () => client.copyData(h, 0, 0, h, 0),
    () => client.homeDirectory(),
    () => client.usersGroupsById([], []),
  ];
  for (const call of calls) {
    await assert.rejects(call(), (e: unknown) => {
      assert.ok(e instanceof SftpOpUnsupportedError);
      assert.equal(e.status, StatusCode.OP_UNSUPPORTED);
      assert.match(e.message, /@openssh\.com|copy-data|home-directory/);
      return true;
    });
  }
  assert.equal(fake.requests.length, before);
  client.end();
});

test('STATUS codes map to their error classes, naming request and path', async () => {
  const { fake, client } = await startedClient();
  const cases: [number, new (...a: never[]) => SftpError, string][] = [
    [StatusCode.EOF, SftpEofError, 'end of file'],
    [StatusCode.NO_SUCH_FILE, SftpNoSuchFileError, 'no such file'],
    [StatusCode.PERMISSION_DENIED, SftpPermissionDeniedError, 'permission denied'],
    [StatusCode.FAILURE, SftpFailureError, 'failure'],
    [StatusCode.BAD_MESSAGE, SftpBadMessageError, 'bad message'],
    [StatusCode.NO_CONNECTION, SftpNoConnectionError, 'no connection'],
    [StatusCode.CONNECTION_LOST, SftpConnectionLostError, 'connection lost'],
    [StatusCode.OP_UNSUPPORTED, SftpOpUnsupportedError, 'operation unsupported'],
    [42, SftpError, 'status 42'],
  ];
  for (const [code, Class, text] of cases) {
    const p = client.stat('/missing');
    const r = await fake.next();
    fake.status(r.id, code, '');
    await assert.rejects(p, (e: unknown) => {
      assert.ok(e instanceof Class, `code ${code}`);
      assert.ok(e instanceof SftpError);
      assert.equal(e.status, code);
      assert.equal(e.message, `stat /missing: ${text}`);
      assert.equal(e.details.request, 'stat');
      assert.equal(e.details.path, '/missing');
      return true;
    });
  }
  // the server's own message is used when it sends one; two-path requests name both
  const p = client.rename('/a', '/b');
  const r = await fake.next();
  fake.status(r.id, StatusCode.FAILURE, 'File exists');
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof SftpFailureError);
    assert.equal(e.message, 'rename /a -> /b: File exists');
    assert.equal(e.serverMessage, 'File exists');
    return true;
  });
  // a STATUS with only the code (pre-v3 servers) is accepted
  const q = client.remove('/x');
  const rq = await fake.next();
  fake.packet(PacketType.STATUS, (w) => w.writeUint32(rq.id).writeUint32(StatusCode.NO_SUCH_FILE));
  await assert.rejects(q, SftpNoSuchFileError);
  // the session goes on after an error status
  const s = exchange(
    fake,
    () => client.stat('/ok'),
    (x) => fake.attrs(x.id, { size: 1 }),
  );
  assert.deepEqual((await s).result, { size: 1 });
  client.end();
});

test('replies settle their own requests in any order; ids are distinct', async () => {
  const { fake, client } = await startedClient();
  const ps = ['/a', '/b', '/c', '/d'].map((p) => client.stat(p));
  const reqs = [await fake.next(), await fake.next(), await fake.next(), await fake.next()];
  assert.equal(new Set(reqs.map((r) => r.id)).size, 4);
  for (const [i, r] of [...reqs.entries()].reverse()) fake.attrs(r.id, { size: i });
  assert.deepEqual(
    (await Promise.all(ps)).map((a) => a.size),
    [0, 1, 2, 3],
  );
  client.end();
});

test('list: 100,000 entries in 1,000 batches, and the event loop turns between batches', async () => {
  const { fake, client } = await startedClient();
  const TOTAL = 100_000;
  const BATCH = 100; // what sftp-server sends per NAME
  let sent = 0;
  fake.onRequest = (r) => {
    if (r.type === 11) return fake.handle(r.id, 'D');
    if (r.type === 4) return fake.status(r.id, 0);
    if (r.type !== 12) return fake.status(r.id, StatusCode.OP_UNSUPPORTED);
    if (sent >= TOTAL) return fake.status(r.id, StatusCode.EOF);
    const batch = Array.from({ length: BATCH }, (_, i) => ({ name: `f${sent + i}` }));
    sent += BATCH;
    // answered on a later turn, as a real server's reply arrives
    setImmediate(() => fake.names(r.id, batch));
  };
  // a timer that must keep firing while the listing runs: nothing may hold the loop
  let ticks = 0;
  const ticksAtBatch: number[] = [];
  const ticker = setInterval(() => ticks++, 0);
  const all = await client.list('/big', () => ticksAtBatch.push(ticks));
  clearInterval(ticker);
  assert.equal(all.length, TOTAL);
  assert.equal(all[TOTAL - 1]?.filename, `f${TOTAL - 1}`);
  assert.equal(ticksAtBatch.length, TOTAL / BATCH);
  assert.ok(ticks > 0, 'the timer never ran during the listing');
  client.end();
});

test('requests of one turn go to the stream corked together; WRITE data as the caller’s view', async () => {
  const { fake, client } = await startedClient();
  const out = fake.stream.writable;
  const log: (string | Uint8Array)[] = [];
  const write = out.write.bind(out);
  out.write = ((chunk: Uint8Array, ...rest: never[]) => {
    log.push(chunk);
    return write(chunk, ...rest);
  }) as typeof out.write;
  const cork = out.cork.bind(out);
  const uncork = out.uncork.bind(out);
  out.cork = () => (log.push('cork'), cork());
  out.uncork = () => (log.push('uncork'), uncork());

  const h = new SftpHandle(Buffer.from('h'), 'f');
  const data = Buffer.alloc(5000, 9);
  const wrote = client.writeChunk(h, 0, data);
  const closed = client.close(h);
  assert.deepEqual(log, [], 'nothing leaves before the turn ends');
  const reqs = [await fake.next(), await fake.next()];
  assert.deepEqual(
    reqs.map((r) => r.type),
    [PacketType.WRITE, PacketType.CLOSE],
  );
  assert.equal(log[0], 'cork');
  assert.equal(log.at(-1), 'uncork');
  assert.equal(log.length, 5, 'WRITE header, its data, CLOSE, between cork and uncork');
  assert.equal(log[2], data, 'the data is written as the caller passed it, not copied');
  for (const r of reqs) fake.status(r.id, 0);
  await Promise.all([wrote, closed]);
  client.end();
});
