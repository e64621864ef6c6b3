/**
 * A misbehaving peer, one way per test, injected around its Connection: each ends the
 * connection with a ProtocolError naming the fault, a DISCONNECT (reason 2) to the peer and
 * a closed transport. Never a crash, a hang, or memory growing at the peer's will.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectionPair, until, type ConnectionPair } from '../../support/connection-pair.js';
import { serveRecorder } from '../../support/session-servers.js';
import type { Session } from '../../../core/connection/index.js';
import {
  encodeChannelOnly,
  encodeChannelRequest,
  encodeData,
  encodeGlobalReply,
  encodeWindowAdjust,
} from '../../../core/connection/messages.js';
import { DisconnectedByPeer, ProtocolError } from '../../../core/errors.js';
import { Msg } from '../../../core/wire/messages.js';

interface Ctx extends ConnectionPair {
  session: Session;
  /** The client channel id: the recipient of server → client channel messages. */
  clientId: number;
  /** The server channel id. */
  serverId: number;
}

async function withSession(window?: number): Promise<Ctx> {
  const cp = await connectionPair();
  serveRecorder(cp.server);
  const session = await cp.client.openSession(window ? { window } : {});
  // Not read: a reading consumer would return the window to the peer as fast as it is used.
  session.stdout.pause();
  session.stderr.pause();
  await until(() => cp.server.channelCount === 1, 'server channel');
  return { ...cp, session, clientId: session.channel.localId, serverId: session.channel.remoteId };
}

/** Runs `misbehave` and expects the client to end the connection with a matching ProtocolError. */
async function expectClientProtocolError(
  ctx: Ctx,
  misbehave: () => void,
  pattern: RegExp,
): Promise<void> {
  const serverSaw = ctx.pair.serverClosed;
  misbehave();
  const err = await ctx.pair.clientClosed;
  assert.ok(err instanceof ProtocolError, `expected a ProtocolError, got ${String(err)}`);
  assert.match(err.message, pattern);
  assert.equal(ctx.pair.client.isClosed, true);
  const peer = await serverSaw;
  assert.ok(peer instanceof DisconnectedByPeer, `server saw ${String(peer)}`);
  assert.equal(peer.peerReason, 2, 'DISCONNECT reason PROTOCOL_ERROR');
  await assert.rejects(ctx.session.exit, ProtocolError);
  ctx.session.stdout.resume();
  ctx.session.stderr.resume();
  await ctx.session.closed;
  assert.equal(ctx.client.channelCount, 0);
}

const kib = (n: number): Uint8Array => new Uint8Array(n * 1024);

test('data beyond the window we advertised', async () => {
  const ctx = await withSession(64 * 1024);
  await expectClientProtocolError(
    ctx,
    () => {
      for (let i = 0; i < 3; i++) ctx.pair.server.send(encodeData(ctx.clientId, kib(32)));
    },
    /32768 bytes into a window of 0 bytes/,
  );
});

test('data to a channel id that was never opened', async () => {
  const ctx = await withSession();
  await expectClientProtocolError(
    ctx,
    () => ctx.pair.server.send(encodeData(ctx.clientId + 1000, kib(1))),
    /unknown channel 1000/,
  );
});

test('data after EOF, and extended data after EOF', async () => {
  for (const extended of [undefined, 1]) {
    const ctx = await withSession();
    await expectClientProtocolError(
      ctx,
      () => {
        ctx.pair.server.send(encodeChannelOnly(Msg.CHANNEL_EOF, ctx.clientId));
        ctx.pair.server.send(encodeData(ctx.clientId, kib(1), extended));
      },
      /data after EOF/,
    );
  }
});

test('data larger than our maximum packet', async () => {
  const ctx = await withSession();
  await expectClientProtocolError(
    ctx,
    () => ctx.pair.server.send(encodeData(ctx.clientId, kib(33))),
    /33792 bytes of data exceed the maximum packet of 32768/,
  );
});

test('data to a channel after both CLOSEs freed it', async () => {
  const ctx = await withSession();
  ctx.session.close();
  ctx.session.stdout.resume();
  ctx.session.stderr.resume();
  await ctx.session.closed;
  await until(() => ctx.server.channelCount === 0 && ctx.client.channelCount === 0, 'freed');
  ctx.pair.server.send(encodeData(ctx.clientId, kib(1)));
  const err = await ctx.pair.clientClosed;
  assert.ok(err instanceof ProtocolError);
  assert.match(err.message, /unknown channel/);
});

test('a WINDOW_ADJUST that overflows 2^32-1', async () => {
  const ctx = await withSession();
  await expectClientProtocolError(
    ctx,
    () => ctx.pair.server.send(encodeWindowAdjust(ctx.clientId, 0xffff_ffff)),
    /overflows a window/,
  );
});

test('replies nobody asked for: CHANNEL_SUCCESS and REQUEST_SUCCESS', async () => {
  const a = await withSession();
  await expectClientProtocolError(
    a,
    () => a.pair.server.send(encodeChannelOnly(Msg.CHANNEL_SUCCESS, a.clientId)),
    /channel request reply with no channel request outstanding/,
  );
  const b = await withSession();
  await expectClientProtocolError(
    b,
    () => b.pair.server.send(encodeGlobalReply(true)),
    /global request reply with no global request outstanding/,
  );
});

test('malformed messages: truncated CHANNEL_DATA, exit-status with trailing bytes', async () => {
  const a = await withSession();
  const data = encodeData(a.clientId, kib(1));
  await expectClientProtocolError(
    a,
    () => a.pair.server.send(data.subarray(0, 100)),
    /CHANNEL_DATA: truncated/,
  );
  const b = await withSession();
  const bad = encodeChannelRequest(b.clientId, 'exit-status', false, Uint8Array.of(0, 0, 0, 1, 9));
  await expectClientProtocolError(
    b,
    () => b.pair.server.send(bad),
    /exit-status: 1 unexpected trailing bytes/,
  );
});

test('a peer piling up unanswered channel requests hits the bound', async () => {
  const cp = await connectionPair();
  cp.server.onSession = (s) => (s.onRequest = () => {}); // never answers
  const session = await cp.client.openSession();
  await until(() => cp.server.channelCount === 1, 'server channel');
  const req = encodeChannelRequest(session.channel.remoteId, 'env', true, new Uint8Array(8));
  for (let i = 0; i < 300; i++) cp.pair.client.send(req);
  const err = await cp.pair.serverClosed;
  assert.ok(err instanceof ProtocolError);
  assert.match(err.message, /more than 256 channel requests waiting/);
});

test('an unknown connection-protocol message type gets UNIMPLEMENTED, the connection stays', async () => {
  const { client, server, pair } = await connectionPair();
  const debug: string[] = [];
  pair.server.onDebug = (m) => debug.push(m);
  pair.server.send(Uint8Array.of(85, 1, 2, 3));
  await until(() => debug.length > 0, 'UNIMPLEMENTED');
  assert.match(debug[0] ?? '', /UNIMPLEMENTED/);
  assert.deepEqual(await server.globalRequest('still-there@example.com'), { ok: false });
  assert.equal(client.channelCount, 0);
  pair.client.disconnect();
});
