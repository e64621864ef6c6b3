/**
 * The service's TunnelManager (core/service/tunnels/tunnel-manager.ts) over an in-memory
 * connection pair: a tunnel added before its connection waits, starts when the connection
 * comes, counts connections, sends counter-only tunnelState events no closer together than
 * TUNNEL_EVENT_INTERVAL_MS, keeps its counters when the connection goes (state waiting), and
 * ends with a removed event; unknown connections and tunnels are NotFoundErrors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection } from 'node:net';
import type { SshClient } from '../../../core/client/connect.js';
import { emptyOptions } from '../../../core/config/ssh-options.js';
import {
  parseDynamicForward,
  parseLocalForward,
  parseRemoteForward,
} from '../../../core/config/forward-spec.js';
import { TUNNEL_EVENT_INTERVAL_MS, type TunnelInfo } from '../../../core/service/api/contract.js';
import { NotFoundError } from '../../../core/service/errors.js';
import { TunnelManager } from '../../../core/service/tunnels/tunnel-manager.js';
import type { TunnelSpec } from '../../../core/service/api/schemas.js';
import {
  fromForwardSpec,
  isTunnelFlagOf,
  parseTunnelFlag,
  toForwardSpec,
  tunnelFlag,
} from '../../../core/service/tunnels/tunnel-spec.js';
import { connectionPair } from '../../support/connection-pair.js';
import { waitFor } from '../../support/wait.js';

test('waiting, listening, throttled counters, waiting again with counters kept, removed', async () => {
  const { client } = await connectionPair();
  const events: { at: number; info: TunnelInfo }[] = [];
  const m = new TunnelManager(
    (name, payload) => {
      if (name === 'tunnelState') events.push({ at: Date.now(), info: payload as TunnelInfo });
    },
    (id) => {
      if (id !== 'c1') throw new NotFoundError('connection', id);
    },
  );
  try {
    assert.throws(() => m.add('c2', { type: 'dynamic', listen: { port: 0 } }), {
      code: 'NOT_FOUND',
    });
    const t = m.add('c1', { type: 'dynamic', listen: { host: '127.0.0.1', port: 0 } });
    assert.equal(t.state, 'waiting');
    assert.equal(t.description, '-D 127.0.0.1:0');
    m.connectionChanged('c1', { connection: client } as unknown as SshClient, emptyOptions());
    await waitFor(() => events.some((e) => e.info.state === 'listening'), 'listening');
    const port = events.find((e) => e.info.state === 'listening')?.info.port ?? 0;
    assert.ok(port > 0);
    // connections that end before any SOCKS request: each is counted, none stays open
    const n = 20;
    for (let i = 0; i < n; i++) {
      await new Promise<void>((resolve) => {
        const s = createConnection({ host: '127.0.0.1', port }, () => s.end());
        s.on('close', () => resolve());
        s.on('error', () => {});
      });
    }
    const last = () => events.at(-1)?.info;
    await waitFor(
      () => last()?.totalConnections === n && last()?.activeConnections === 0,
      'the counters',
    );
    const listening = events.filter((e) => e.info.state === 'listening');
    assert.ok(listening.length >= 2, 'a state event, then counter events');
    for (let i = 1; i < listening.length; i++) {
      const gap = (listening[i]?.at ?? 0) - (listening[i - 1]?.at ?? 0);
      // timers may fire a millisecond early by Date.now()'s clock
      assert.ok(gap >= TUNNEL_EVENT_INTERVAL_MS - 2, `counter events ${gap} ms apart`);
    }
    assert.equal(m.list('c1')[0]?.totalConnections, n);

    m.connectionChanged('c1', null, emptyOptions());
    assert.equal(last()?.state, 'waiting');
    assert.equal(last()?.totalConnections, n, 'counters kept across connections');
    assert.equal(last()?.port, null);

    m.remove(t.tunnelId);
    assert.equal(last()?.state, 'removed');
    assert.deepEqual(m.list(), []);
    assert.throws(() => m.remove(t.tunnelId), { code: 'NOT_FOUND' });
  } finally {
    m.closeAll();
    client.disconnect();
  }
});

test("ssh_config's forwards as the contract's tunnel specs, and back; Unix listeners left out", () => {
  const round = [
    parseLocalForward('8080:db:5432'),
    parseLocalForward('127.0.0.1:8080:/run/app.sock'),
    parseRemoteForward('0:localhost:22'),
    parseRemoteForward('*:1080'), // remote SOCKS
    parseDynamicForward('[::1]:1080'),
  ];
  for (const f of round) {
    const spec = fromForwardSpec(f);
    assert.ok(spec !== null, JSON.stringify(f));
    assert.deepEqual(toForwardSpec(spec), f);
  }
  assert.equal(fromForwardSpec(parseLocalForward('/tmp/l.sock:h:80')), null);
  assert.equal(fromForwardSpec(parseRemoteForward('/tmp/r.sock:h:80')), null);
});

test('a tunnel as a saved host keeps it (tunnelFlag) reads back to the same tunnel', () => {
  const specs: TunnelSpec[] = [
    { type: 'local', listen: { port: 8080 }, connect: { host: 'db', port: 5432 } },
    { type: 'local', listen: { host: '127.0.0.1', port: 8080 }, connect: { path: '/run/a.sock' } },
    { type: 'local', listen: { host: '::1', port: 8080 }, connect: { host: 'fe80::1', port: 80 } },
    { type: 'remote', listen: { port: 0 }, connect: { host: 'localhost', port: 22 } },
    { type: 'remote', listen: { host: '*', port: 1080 }, connect: null },
    { type: 'dynamic', listen: { host: '::1', port: 1080 } },
    { type: 'dynamic', listen: { host: null, port: 1081 } },
  ];
  const lines = specs.map(tunnelFlag);
  assert.deepEqual(lines, [
    '-L 8080:db:5432',
    '-L 127.0.0.1:8080:/run/a.sock',
    '-L [::1]:8080:[fe80::1]:80',
    '-R 0:localhost:22',
    '-R *:1080',
    '-D [::1]:1080',
    '-D 1081',
  ]);
  specs.forEach((spec, i) => {
    const line = lines[i] ?? '';
    assert.deepEqual(fromForwardSpec(parseTunnelFlag(line)), fromForwardSpec(toForwardSpec(spec)));
    assert.ok(isTunnelFlagOf(line, spec), line);
    assert.ok(isTunnelFlagOf(line.replace(' ', '   '), spec), 'spacing aside');
    assert.equal(isTunnelFlagOf(lines[(i + 1) % lines.length] ?? '', spec), false, line);
  });
  assert.equal(isTunnelFlagOf('-L nonsense', specs[0] as TunnelSpec), false);
});
