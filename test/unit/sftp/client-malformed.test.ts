/**
 * A misbehaving server against SftpClient: malformed replies, unknown request ids, wrong reply
 * types, hostile counts and lengths, and the stream ending under pending requests. Each gives
 * a typed error, ends the session (pending requests rejected, `closed` settled, the stream
 * closed) and leaves nothing hanging.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketType, StatusCode } from '../../../core/sftp/constants.js';
import {
  SftpConnectionLostError,
  SftpError,
  SftpProtocolError,
} from '../../../core/sftp/errors.js';
import { SftpClient, SftpHandle } from '../../../core/sftp/client.js';
import { FakeSftpServer, startedClient } from './fake-sftp-server.js';

const isProtocolError =
  (re: RegExp) =>
  (e: unknown): boolean => {
    assert.ok(e instanceof SftpProtocolError, `got ${String(e)}`);
    assert.match(e.message, re);
    return true;
  };

/**
 * Sends stat('/p') plus a bystander request, answers the stat with `reply`, and checks that
 * the session ended with a protocol error matching `re` for both.
 */
async function endsSession(
  reply: (fake: FakeSftpServer, id: number) => void,
  re: RegExp,
  call: (c: SftpClient) => Promise<unknown> = (c) => c.stat('/p'),
): Promise<void> {
  const { fake, client } = await startedClient([['users-groups-by-id@openssh.com', '1']]);
  const p = call(client);
  const bystander = client.lstat('/other');
  const r = await fake.next();
  await fake.next();
  reply(fake, r.id);
  await assert.rejects(p, isProtocolError(re));
  await assert.rejects(bystander, isProtocolError(re));
  const why = await client.closed;
  assert.ok(why instanceof SftpProtocolError);
  assert.equal(fake.closedByClient, true);
  // later requests are refused without being sent
  const sent = fake.requests.length;
  await assert.rejects(client.stat('/later'), SftpConnectionLostError);
  assert.equal(fake.requests.length, sent);
}

test('a reply with an unknown request id ends the session', async () => {
  await endsSession(
    (f, id) => f.status(id + 1000, StatusCode.OK),
    /request id \d+, which is not pending/,
  );
});

test('a reply of the wrong type for its request ends the session', async () => {
  await endsSession((f, id) => f.data(id, Buffer.from('x')), /stat: DATA where ATTRS was expected/);
  await endsSession((f, id) => f.status(id, StatusCode.OK), /stat: STATUS OK where ATTRS/);
  await endsSession(
    (f, id) => f.handle(id, 'h'),
    /remove: HANDLE where STATUS/,
    (c) => c.remove('/x'),
  );
});

test('truncated and over-long replies end the session', async () => {
  // ATTRS claiming a size with no bytes for it
  await endsSession(
    (f, id) => f.packet(PacketType.ATTRS, (w) => w.writeUint32(id).writeUint32(1)),
    /truncated/,
  );
  // ATTRS with trailing bytes
  await endsSession(
    (f, id) => f.packet(PacketType.ATTRS, (w) => w.writeUint32(id).writeUint32(0).writeByte(9)),
    /trailing/,
  );
  // STATUS with a message but no language tag
  await endsSession(
    (f, id) =>
      f.packet(PacketType.STATUS, (w) => w.writeUint32(id).writeUint32(2).writeString('m')),
    /truncated/,
  );
  // DATA whose string runs past the packet
  await endsSession(
    (f, id) => f.packet(PacketType.DATA, (w) => w.writeUint32(id).writeUint32(100).writeByte(1)),
    /truncated/,
    (c) => c.read(new SftpHandle(Buffer.from('h'), '/f'), 0, 100),
  );
  // the same for the bulk path, and DATA with bytes after its string
  await endsSession(
    (f, id) => f.packet(PacketType.DATA, (w) => w.writeUint32(id).writeUint32(100).writeByte(1)),
    /truncated/,
    (c) => c.readParts(new SftpHandle(Buffer.from('h'), '/f'), 0, 100),
  );
  for (const read of ['read', 'readParts'] as const) {
    await endsSession(
      (f, id) =>
        f.packet(PacketType.DATA, (w) =>
          w.writeUint32(id).writeUint32(1).writeByte(1).writeByte(2),
        ),
      /trailing/,
      (c) => c[read](new SftpHandle(Buffer.from('h'), '/f'), 0, 100),
    );
  }
  // a reply too short to hold an id
  await endsSession((f) => f.send(Buffer.from([0, 0, 0, 3, 101, 0, 0])), /no request id/);
});

test('NAME with a count of 2^32-1 is refused before anything is allocated', async () => {
  await endsSession(
    (f, id) =>
      f.packet(PacketType.NAME, (w) => w.writeUint32(id).writeUint32(0xffff_ffff).writeString('a')),
    /NAME claims 4294967295 entries/,
    (c) => c.readdir(new SftpHandle(Buffer.from('d'), '/d')),
  );
});

test('realpath and friends need exactly one NAME entry', async () => {
  await endsSession(
    (f, id) => f.names(id, [{ name: '/a' }, { name: '/b' }]),
    /NAME with 2 entries where one was expected/,
    (c) => c.realpath('.'),
  );
  await endsSession(
    (f, id) => f.names(id, []),
    /NAME with 0 entries/,
    (c) => c.readlink('/l'),
  );
});

test('a HANDLE longer than 256 bytes ends the session', async () => {
  await endsSession(
    (f, id) => f.handle(id, Buffer.alloc(257, 1)),
    /HANDLE of 257 bytes/,
    (c) => c.open('/f', 'r'),
  );
});

test('users-groups-by-id with a name count unlike the ids asked ends the session', async () => {
  await endsSession(
    (f, id) =>
      f.extendedReply(id, (w) => {
        w.writeString(new Uint8Array([0, 0, 0, 1, 0x61]));
        w.writeString(new Uint8Array(0));
      }),
    /usernames: 1 names for 2 ids/,
    (c) => c.usersGroupsById([1, 2], []),
  );
});

test('a packet over 256 KiB, or of length 0, ends the session before it is buffered', async () => {
  await endsSession(
    (f) => f.send(Buffer.from([0, 0x04, 0, 1, 103])),
    /262145 bytes exceeds the 262144-byte limit/,
  );
  await endsSession((f) => f.send(Buffer.from([0, 0, 0, 0])), /length 0/);
});

test('the stream ending with requests pending rejects them with SftpConnectionLostError', async () => {
  const { fake, client } = await startedClient();
  const ps = [client.stat('/a'), client.read(new SftpHandle(Buffer.from('h'), '/f'), 0, 10)];
  await fake.next();
  await fake.next();
  // half a packet, then the end
  fake.send(Buffer.from([0, 0, 0, 9, 105]));
  fake.end();
  for (const p of ps) await assert.rejects(p, SftpConnectionLostError);
  const why = await client.closed;
  assert.ok(why instanceof SftpConnectionLostError);
  await assert.rejects(client.stat('/b'), SftpConnectionLostError);
});

test('a stream error is a lost connection, not a crash', async () => {
  const { fake, client } = await startedClient();
  const p = client.stat('/a');
  await fake.next();
  fake.stream.readable.destroy(new Error('EPIPE'));
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof SftpConnectionLostError);
    assert.match(e.message, /EPIPE/);
    return true;
  });
  assert.ok((await client.closed) instanceof SftpConnectionLostError);
});

test('end() rejects pending requests, closes the stream, and closed resolves null', async () => {
  const { fake, client } = await startedClient();
  const p = client.stat('/a');
  await fake.next();
  client.end();
  await assert.rejects(p, SftpConnectionLostError);
  assert.equal(await client.closed, null);
  assert.equal(fake.closedByClient, true);
  client.end(); // twice is harmless
});

test('start: a wrong version, a packet before VERSION, or no answer at all', async () => {
  for (const [answer, re] of [
    [(f: FakeSftpServer) => f.version([], 4), /version 4, not 3/],
    [(f: FakeSftpServer) => f.status(0, 0), /STATUS before the server's VERSION/],
    [
      (f: FakeSftpServer) =>
        f.packet(PacketType.VERSION, (w) => w.writeUint32(3).writeString('name-without-version')),
      /truncated/,
    ],
  ] as const) {
    const fake = new FakeSftpServer();
    const started = SftpClient.start(fake.stream);
    await fake.next();
    answer(fake);
    await assert.rejects(started, isProtocolError(re));
    assert.equal(fake.closedByClient, true);
  }
  const fake = new FakeSftpServer();
  const started = SftpClient.start(fake.stream);
  await fake.next();
  fake.end();
  await assert.rejects(started, SftpConnectionLostError);
});

test('errors are SftpErrors with stable codes', async () => {
  const { fake, client } = await startedClient();
  const p = client.stat('/a');
  const r = await fake.next();
  fake.status(r.id + 1, 0);
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof SftpError);
    assert.equal(e.code, 'SFTP_PROTOCOL_ERROR');
    return true;
  });
});
