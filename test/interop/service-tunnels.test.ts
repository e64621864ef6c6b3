/**
 * Tunnels through the service's contract (addTunnel / listTunnels / removeTunnel and the
 * tunnelState events), over the browser host's real WebSocket against Debian's sshd: a -L
 * tunnel moves data both ways (sha256 equal) and its counters follow; a -R tunnel on port 0
 * reports the allocated port and reaches a local server; removing a tunnel closes its listener;
 * a bind that fails reports the error; bad specifications are refused with typed errors; after
 * a reconnect the tunnel listens again and works, its counters adding up across the two. A
 * host's LocalForward / DynamicForward in ~/.ssh/config become its tunnels on the first
 * connect (a Unix socket listener left out with a warning), once: not again on a reconnect,
 * nor back once removed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import type { ConnectionInfo, TunnelInfo } from '../../core/service/api/contract.js';
import { createService, type Service } from '../../core/service/service.js';
import { startWebHost, type WebHost } from '../../core/service/web/web-host.js';
import { makeKey, publicLine } from '../support/openssh-certs.js';
import { openServiceClient, type TestServiceClient } from '../support/service-client.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';
import { ensureTestUser, freePort, startOpenSsh, type RunningServer } from './harness/index.js';

let tmp: TempDir;
let server: RunningServer;
let echo: Server;
let echoPort: number;
let service: Service;
let home: string;
const warnings: string[] = [];
let host: WebHost;
let ws: TestServiceClient;
let conn: ConnectionInfo;

before(async () => {
  tmp = tempDir('service-tunnels');
  home = tmp.path('home');
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  const id = makeKey(tmp.path('id'), 'ed25519');
  server = await startOpenSsh({ authorizedKeys: [publicLine(`${id}.pub`)] });
  writeFileSync(
    join(home, '.ssh', 'known_hosts'),
    server.hostKeys.map((k) => `[127.0.0.1]:${server.port} ${k.publicLine}\n`).join(''),
  );
  writeFileSync(
    join(home, '.ssh', 'config'),
    ['Host tun tun-cfg', '  HostName 127.0.0.1', `  Port ${server.port}`].join('\n') +
      `\n  IdentityFile ${id}\n  StrictHostKeyChecking yes\n` +
      // tun-cfg is written by its test, under another user: one connection per user@host:port
      // relative: ~/.ssh of the service's home, not the test process's
      'Include config.d/*\nHost tun\n  User root\n',
  );
  echo = createServer({ allowHalfOpen: true }, (s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as AddressInfo).port;
  service = createService({
    home,
    dataDir: tmp.path('data'),
    agentPath: null,
    onWarning: (m) => warnings.push(m),
  });
  host = await startWebHost({ service, uiDir: tmp.path('ui') });
  ws = await openServiceClient(host.wsUrl, host.origin);
  conn = await ws.api.connect({ target: { kind: 'sshConfig', alias: 'tun' } });
  const up = await connectionEvent(conn.connectionId, ['connected', 'failed'], 'connected');
  assert.equal(up.state, 'connected', JSON.stringify(up.error));
});

after(async () => {
  await ws?.close();
  service?.close();
  await host?.close();
  echo?.close();
  await server?.stop();
  tmp?.cleanup();
});

/** The first tunnelState event at or after `from` for this tunnel that `match` accepts. */
async function tunnelEvent(
  id: string,
  match: (t: TunnelInfo) => boolean,
  what: string,
  from = 0,
): Promise<TunnelInfo> {
  let found: TunnelInfo | undefined;
  await ws.waitEvent(
    'tunnelState',
    (t) => {
      const i = ws.events.findIndex((e) => e.payload === t);
      if (i < from || t.tunnelId !== id || !match(t)) return false;
      found = t;
      return true;
    },
    what,
  );
  return found as TunnelInfo;
}

/** The first connectionState event of this connection, from event `from` on, in a state of `states`. */
function connectionEvent(
  id: string,
  states: readonly ConnectionInfo['state'][],
  what: string,
  from = 0,
): Promise<ConnectionInfo> {
  return ws.waitEvent(
    'connectionState',
    (p) =>
      p.connectionId === id &&
      states.includes(p.state) &&
      ws.events.findIndex((e) => e.payload === p) >= from,
    what,
  );
}

/** Sends `data` through 127.0.0.1:port and resolves with what comes back once it ends. */
function roundTrip(port: number, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = createConnection({ host: '127.0.0.1', port, allowHalfOpen: true });
    const got: Buffer[] = [];
    s.on('data', (d: Buffer) => got.push(d));
    s.on('end', () => {
      s.end();
      resolve(Buffer.concat(got));
    });
    s.on('error', reject);
    s.end(data);
  });
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function refused(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.on('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

let localTunnel: TunnelInfo;
let localPort: number;

test('-L tunnel: listening event, data both ways, counters move and connections settle', async () => {
  localPort = await freePort();
  localTunnel = await ws.api.addTunnel({
    connectionId: conn.connectionId,
    spec: {
      type: 'local',
      listen: { port: localPort },
      connect: { host: '127.0.0.1', port: echoPort },
    },
  });
  assert.equal(localTunnel.description, `-L localhost:${localPort}:127.0.0.1:${echoPort}`);
  const up = await tunnelEvent(localTunnel.tunnelId, (t) => t.state === 'listening', 'listening');
  assert.equal(up.port, localPort);
  assert.ok(up.bound.some((b) => b.address === '127.0.0.1' && b.port === localPort));
  const data = randomBytes(1024 * 1024);
  const back = await roundTrip(localPort, data);
  assert.equal(sha(back), sha(data));
  const counted = await tunnelEvent(
    localTunnel.tunnelId,
    (t) => t.bytesSent === data.length && t.bytesReceived === data.length,
    'counters',
  );
  assert.equal(counted.totalConnections, 1);
  const settled = await tunnelEvent(
    localTunnel.tunnelId,
    (t) => t.activeConnections === 0 && t.bytesReceived === data.length,
    'the connection closed',
  );
  assert.equal(settled.state, 'listening');
  const [listed] = await ws.api.listTunnels({ connectionId: conn.connectionId });
  assert.equal(listed?.tunnelId, localTunnel.tunnelId);
  assert.equal(listed?.bytesSent, data.length);
});

test('-R tunnel on port 0: the allocated port is reported and reaches the local server', async () => {
  const t = await ws.api.addTunnel({
    connectionId: conn.connectionId,
    spec: { type: 'remote', listen: { port: 0 }, connect: { host: '127.0.0.1', port: echoPort } },
  });
  const up = await tunnelEvent(t.tunnelId, (x) => x.state === 'listening', 'remote listening');
  assert.ok(up.port !== null && up.port > 0);
  const data = randomBytes(64 * 1024);
  // the server listens on its loopback, which is ours
  assert.equal(sha(await roundTrip(up.port ?? 0, data)), sha(data));
  await tunnelEvent(t.tunnelId, (x) => x.bytesReceived === data.length, 'remote counters');
  await ws.api.removeTunnel({ tunnelId: t.tunnelId });
  await tunnelEvent(t.tunnelId, (x) => x.state === 'removed', 'removed');
});

test('a bind that fails reports the error; bad specifications are typed errors', async () => {
  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  const port = (taken.address() as AddressInfo).port;
  try {
    const t = await ws.api.addTunnel({
      connectionId: conn.connectionId,
      spec: { type: 'dynamic', listen: { host: '127.0.0.1', port } },
    });
    const failed = await tunnelEvent(t.tunnelId, (x) => x.state === 'failed', 'failed');
    assert.match(failed.lastError ?? '', new RegExp(`cannot listen on .*${port}.*in use`, 'i'));
    await ws.api.removeTunnel({ tunnelId: t.tunnelId });
  } finally {
    taken.close();
  }
  const bad = [
    { type: 'local', listen: { port: 70000 }, connect: { host: 'h', port: 1 } },
    { type: 'local', listen: { port: 1 }, connect: { host: 'bad host', port: 1 } },
    { type: 'dynamic', listen: { port: 1 }, connect: { host: 'h', port: 1 } },
    { type: 'sideways', listen: { port: 1 } },
    { type: 'local', listen: { port: 1 }, connect: { path: 'relative/socket' } },
  ];
  for (const spec of bad) {
    await assert.rejects(
      ws.api.addTunnel({ connectionId: conn.connectionId, spec: spec as never }),
      { code: 'INVALID_ARGUMENT' },
      JSON.stringify(spec),
    );
  }
  await assert.rejects(
    ws.api.addTunnel({
      connectionId: 'no-such-connection',
      spec: { type: 'dynamic', listen: { port: 0 } },
    }),
    { code: 'NOT_FOUND' },
  );
  await assert.rejects(ws.api.removeTunnel({ tunnelId: 'no-such-tunnel' }), { code: 'NOT_FOUND' });
});

test('after a reconnect the tunnel listens again and works; counters add up', async () => {
  const from = ws.events.length;
  const again = await ws.api.reconnect({ connectionId: conn.connectionId });
  assert.equal(again.connectionId, conn.connectionId);
  await tunnelEvent(localTunnel.tunnelId, (t) => t.state === 'waiting', 'waiting', from);
  await connectionEvent(conn.connectionId, ['connected'], 'connected again', from);
  await tunnelEvent(localTunnel.tunnelId, (t) => t.state === 'listening', 'listening again', from);
  const data = randomBytes(200 * 1024);
  assert.equal(sha(await roundTrip(localPort, data)), sha(data));
  const total = 1024 * 1024 + data.length;
  const counted = await tunnelEvent(
    localTunnel.tunnelId,
    (t) => t.bytesSent === total && t.bytesReceived === total && t.activeConnections === 0,
    'counters across the reconnect',
    from,
  );
  assert.equal(counted.totalConnections, 2);
});

test('remove: the listener closes, a last event says removed, the list no longer has it', async () => {
  await ws.api.removeTunnel({ tunnelId: localTunnel.tunnelId });
  await tunnelEvent(localTunnel.tunnelId, (t) => t.state === 'removed', 'removed');
  assert.equal(await refused(localPort), 'ECONNREFUSED');
  const left = await ws.api.listTunnels({});
  assert.ok(!left.some((t) => t.tunnelId === localTunnel.tunnelId));
});

test("a host's ssh_config forwards become its tunnels on the first connect, once", async () => {
  const user = ensureTestUser().user;
  const cfgPort = await freePort();
  const socksPort = await freePort();
  mkdirSync(join(home, '.ssh', 'config.d'), { mode: 0o700 });
  writeFileSync(
    join(home, '.ssh', 'config.d', 'tun-cfg'),
    [
      'Host tun-cfg',
      `  User ${user}`,
      `  LocalForward ${cfgPort} 127.0.0.1:${echoPort}`,
      `  DynamicForward 127.0.0.1:${socksPort}`,
      `  LocalForward ${join(home, 'fwd.sock')} 127.0.0.1:${echoPort}`,
      '',
    ].join('\n'),
  );
  const from = ws.events.length;
  const c = await ws.api.connect({ target: { kind: 'sshConfig', alias: 'tun-cfg' } });
  const up = await connectionEvent(c.connectionId, ['connected', 'failed'], 'connected');
  assert.equal(up.state, 'connected', JSON.stringify(up.error));
  const mine = async () => (await ws.api.listTunnels({ connectionId: c.connectionId })).slice();
  const tunnels = await mine();
  assert.deepEqual(tunnels.map((t) => [t.description, t.origin]).sort(), [
    [`-D 127.0.0.1:${socksPort}`, 'sshConfig'],
    [`-L localhost:${cfgPort}:127.0.0.1:${echoPort}`, 'sshConfig'],
  ]);
  assert.ok(
    warnings.some((w) => w.includes('fwd.sock') && w.includes('was not set up')),
    warnings.join('\n'),
  );
  const local = tunnels.find((t) => t.spec.type === 'local') as TunnelInfo;
  await tunnelEvent(local.tunnelId, (t) => t.state === 'listening', 'listening', from);
  const data = randomBytes(64 * 1024);
  assert.equal(sha(await roundTrip(cfgPort, data)), sha(data));

  // a reconnect starts the same two again, adds none
  const again = ws.events.length;
  await ws.api.reconnect({ connectionId: c.connectionId });
  await tunnelEvent(local.tunnelId, (t) => t.state === 'listening', 'listening again', again);
  assert.equal((await mine()).length, 2);
  // one removed stays removed across a reconnect
  await ws.api.removeTunnel({ tunnelId: local.tunnelId });
  const third = ws.events.length;
  await ws.api.reconnect({ connectionId: c.connectionId });
  await connectionEvent(c.connectionId, ['connected'], 'connected a third time', third);
  assert.deepEqual(
    (await mine()).map((t) => t.spec.type),
    ['dynamic'],
  );
  assert.equal(await refused(cfgPort), 'ECONNREFUSED');
  await ws.api.disconnect({ connectionId: c.connectionId });
});

test('a tunnel added by hand is saved to its saved host, once; elsewhere it cannot be', async () => {
  const user = ensureTestUser().user;
  const profile = await ws.api.saveProfile({
    profile: {
      name: 'tun-saved',
      host: '127.0.0.1',
      port: server.port,
      user,
      identityFiles: [tmp.path('id')],
    },
  });
  const c = await ws.api.connect({ target: { kind: 'profile', id: profile.id } });
  assert.equal(c.profileId, profile.id);
  assert.equal(conn.profileId, undefined, 'an ssh_config alias is no saved host');
  const up = await connectionEvent(c.connectionId, ['connected', 'failed'], 'connected');
  assert.equal(up.state, 'connected', JSON.stringify(up.error));
  const port = await freePort();
  const t = await ws.api.addTunnel({
    connectionId: c.connectionId,
    spec: {
      type: 'local',
      listen: { host: '127.0.0.1', port },
      connect: { host: '127.0.0.1', port: echoPort },
    },
  });
  assert.equal(t.origin, undefined);
  const from = ws.events.length;
  const saved = await ws.api.saveTunnel({ tunnelId: t.tunnelId });
  assert.equal(saved.origin, 'profile');
  await tunnelEvent(t.tunnelId, (x) => x.origin === 'profile', 'marked saved', from);
  await ws.waitEvent('hostsChanged', () => true, 'hostsChanged');
  const stored = async () =>
    (await ws.api.listHosts({})).profiles.find((p) => p.id === profile.id)?.tunnels;
  assert.deepEqual(await stored(), [`-L 127.0.0.1:${port}:127.0.0.1:${echoPort}`]);
  // saving it again, or the same tunnel added twice, keeps one line
  await ws.api.saveTunnel({ tunnelId: t.tunnelId });
  const twin = await ws.api.addTunnel({ connectionId: c.connectionId, spec: t.spec });
  assert.equal((await ws.api.saveTunnel({ tunnelId: twin.tunnelId })).origin, 'profile');
  assert.equal((await stored())?.length, 1);
  // still a working tunnel
  await tunnelEvent(t.tunnelId, (x) => x.state === 'listening', 'listening');
  const data = randomBytes(16 * 1024);
  assert.equal(sha(await roundTrip(port, data)), sha(data));

  const other = await ws.api.addTunnel({
    connectionId: conn.connectionId,
    spec: { type: 'dynamic', listen: { host: '127.0.0.1', port: await freePort() } },
  });
  await assert.rejects(ws.api.saveTunnel({ tunnelId: other.tunnelId }), {
    code: 'INVALID_ARGUMENT',
  });
  await assert.rejects(ws.api.saveTunnel({ tunnelId: 'no-such-tunnel' }), { code: 'NOT_FOUND' });
  for (const x of [other, twin, t]) await ws.api.removeTunnel({ tunnelId: x.tunnelId });
  await ws.api.disconnect({ connectionId: c.connectionId });
});
