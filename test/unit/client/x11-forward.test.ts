/**
 * X11 forwarding's client side (core/client/x11-forward.ts): $DISPLAY forms, the X connection
 * setup checked against the fake cookie and rewritten with the real one in either byte order
 * (partial, wrong, oversized setups), and over an in-memory pair: x11 channels refused before
 * x11-req, the request's fields, a stand-in display getting the real cookie and the bytes that
 * followed, a wrong cookie closing the channel with nothing passed on, opens after
 * ForwardX11Timeout refused, and no untrusted cookie when xauth cannot make one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import {
  checkX11Setup,
  parseDisplay,
  X11_PROTO,
  X11Forwarding,
  type X11Cookie,
} from '../../../core/client/x11-forward.js';
import { OpenFailureReason } from '../../../core/connection/index.js';
import { ChannelOpenError } from '../../../core/errors.js';
import { ForwardError } from '../../../core/client/forward-errors.js';
import { generateUntrustedCookie } from '../../../core/client/x11-untrusted.js';
import { SshReader } from '../../../core/wire/reader.js';
import { connectionPair } from '../../support/connection-pair.js';
import { waitFor } from '../../support/wait.js';

const real: X11Cookie = { proto: X11_PROTO, data: Buffer.alloc(16, 0xaa) };
const fake: X11Cookie = { proto: X11_PROTO, data: Buffer.alloc(16, 0x55) };

/** A connection setup as X clients send it, in either byte order. */
function setup(order: 'B' | 'l', proto: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(12);
  head[0] = order === 'B' ? 0x42 : 0x6c;
  const put = (v: number, at: number): void =>
    void (order === 'B' ? head.writeUInt16BE(v, at) : head.writeUInt16LE(v, at));
  put(11, 2);
  put(proto.length, 6);
  put(data.length, 8);
  const pad = (b: Buffer): Buffer => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
  return Buffer.concat([head, pad(Buffer.from(proto)), pad(Buffer.from(data))]);
}

test('DISPLAY forms', () => {
  assert.deepEqual(parseDisplay(':0'), { socket: { path: '/tmp/.X11-unix/X0' }, screen: 0 });
  assert.deepEqual(parseDisplay('unix:12.1'), {
    socket: { path: '/tmp/.X11-unix/X12' },
    screen: 1,
  });
  assert.deepEqual(parseDisplay('localhost:10.0'), {
    socket: { host: 'localhost', port: 6010 },
    screen: 0,
  });
  assert.deepEqual(parseDisplay('[::1]:3'), { socket: { host: '::1', port: 6003 }, screen: 0 });
  for (const bad of ['', 'x', ':', ':a', 'host:1;rm', ':99999'])
    assert.throws(() => parseDisplay(bad), ForwardError, bad);
});

test('the setup: fake cookie checked and replaced, both byte orders, in pieces', () => {
  for (const order of ['B', 'l'] as const) {
    const s = setup(order, X11_PROTO, fake.data);
    const after = Buffer.from('next request');
    const all = Buffer.concat([s, after]);
    for (let cut = 0; cut < s.length; cut++) {
      assert.deepEqual(checkX11Setup(all.subarray(0, cut), fake, real), { kind: 'more' });
    }
    const r = checkX11Setup(all, fake, real);
    assert.equal(r.kind, 'ok');
    if (r.kind !== 'ok') return;
    assert.deepEqual(Buffer.from(r.setup), setup(order, X11_PROTO, real.data));
    assert.deepEqual(Buffer.from(r.rest), after);
  }
  const refused = (b: Buffer): string => {
    const r = checkX11Setup(b, fake, real);
    return r.kind === 'refuse' ? r.why : r.kind;
  };
  assert.equal(refused(setup('B', X11_PROTO, real.data)), 'wrong authentication');
  assert.equal(refused(setup('l', X11_PROTO, fake.data.subarray(0, 8))), 'wrong authentication');
  assert.equal(
    refused(setup('B', 'XDM-AUTHORIZATION-1', fake.data)),
    'different authentication protocol',
  );
  assert.match(refused(Buffer.from('GET / HTTP/1.1\r\n')), /bad byte order/);
  const huge = setup('B', X11_PROTO, fake.data);
  huge.writeUInt16BE(60000, 8);
  assert.equal(refused(huge), 'setup longer than we accept');
});

/** A stand-in X display on 127.0.0.1 (DISPLAY 127.0.0.1:N is TCP port 6000+N). */
async function standInDisplay(): Promise<{ server: Server; display: string; got: () => Buffer }> {
  const chunks: Buffer[] = [];
  const server = createServer((s) => s.on('data', (d: Buffer) => chunks.push(d)));
  for (;;) {
    const n = 100 + Math.floor(Math.random() * 3000);
    server.listen(6000 + n, '127.0.0.1');
    const up = await new Promise<boolean>((resolve) => {
      server.once('listening', () => resolve(true));
      server.once('error', () => resolve(false));
    });
    server.removeAllListeners('error');
    server.removeAllListeners('listening');
    if (up) return { server, display: `127.0.0.1:${n}`, got: () => Buffer.concat(chunks) };
  }
}

test('x11 channels: refused before x11-req, then the display gets the real cookie', async () => {
  const x = await standInDisplay();
  try {
    const { client, server } = await connectionPair();
    let reqData: Uint8Array = new Uint8Array(0);
    server.onSession = (s) => {
      s.channel.onRequest = (r, answer) => {
        if (r.type === 'x11-req') reqData = r.data;
        answer(true);
      };
    };
    const logged: string[] = [];
    const x11 = new X11Forwarding(client, `${x.display}.2`, real, (l) => logged.push(l));
    const originator = Buffer.from([0, 0, 0, 9, ...Buffer.from('127.0.0.1'), 0, 0, 0x9c, 0x40]);
    await assert.rejects(
      server.openChannel('x11', originator),
      (e: unknown) =>
        e instanceof ChannelOpenError &&
        e.openReason === OpenFailureReason.ADMINISTRATIVELY_PROHIBITED,
    );
    assert.equal(await x11.request(await client.openSession()), true);
    const r = new SshReader(reqData, 'x11-req');
    assert.equal(r.readBoolean(), false);
    assert.equal(r.readUtf8(), X11_PROTO);
    const fakeHex = r.readUtf8();
    assert.equal(r.readUint32(), 2);
    r.expectEnd();
    assert.match(fakeHex, /^[0-9a-f]{32}$/);
    assert.notEqual(fakeHex, Buffer.from(real.data).toString('hex'));

    const ch = await server.openChannel('x11', originator);
    ch.writable().write(
      Buffer.concat([setup('l', X11_PROTO, Buffer.from(fakeHex, 'hex')), Buffer.from('more')]),
    );
    const expected = Buffer.concat([setup('l', X11_PROTO, real.data), Buffer.from('more')]);
    await waitFor(() => x.got().length >= expected.length, 'the setup at the display');
    assert.deepEqual(x.got(), expected);
    ch.close();
    await waitFor(() => x11.active === 0, 'the X11 connection to close');

    // a client with the wrong cookie: the channel closes, the display gets nothing more
    const before = x.got().length;
    const bad = await server.openChannel('x11', originator);
    bad.writable().write(setup('B', X11_PROTO, real.data));
    await bad.closed;
    assert.equal(x.got().length, before);
    assert.deepEqual(logged, ['X11 connection rejected: wrong authentication']);
    client.disconnect();
  } finally {
    x.server.close();
  }
});

test('ForwardX11Timeout: x11 channels after refuseAfterMs are refused and said so', async () => {
  const x = await standInDisplay();
  try {
    const originator = Buffer.from([0, 0, 0, 9, ...Buffer.from('127.0.0.1'), 0, 0, 0x9c, 0x40]);
    for (const [after, refused] of [
      [0, true],
      [3_600_000, false],
    ] as const) {
      const { client, server } = await connectionPair();
      server.onSession = (s) => (s.channel.onRequest = (_r, answer) => answer(true));
      const logged: string[] = [];
      const x11 = new X11Forwarding(client, x.display, real, (l) => logged.push(l), after);
      assert.equal(await x11.request(await client.openSession()), true);
      const open = server.openChannel('x11', originator);
      if (refused) {
        await assert.rejects(open, (e: unknown) => e instanceof ChannelOpenError);
        assert.deepEqual(logged, ['Rejected X11 connection after ForwardX11Timeout expired']);
      } else {
        (await open).close();
        assert.deepEqual(logged, []);
      }
      client.disconnect();
    }
  } finally {
    x.server.close();
  }
});

test('an untrusted cookie that xauth cannot make is null, not fake data', async () => {
  assert.equal(await generateUntrustedCookie(':0', 1200, '/nonexistent/xauth'), null);
});
