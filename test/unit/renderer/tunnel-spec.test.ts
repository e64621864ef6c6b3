// The tunnel form's checks and the tunnel list's words (renderer/src/tunnel-spec.ts): what
// fields make which spec, what they refuse, and how a tunnel's state reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TunnelInfo } from '../../../core/service/api/contract.js';
import { tunnelSchemaCheck } from '../../support/tunnel-schema.js';
import { formatBytes, tunnelSpecOf, tunnelStatus } from '../../../renderer/src/tunnel-spec.js';

const fields = (o: Partial<Parameters<typeof tunnelSpecOf>[0]>) => ({
  kind: 'local' as const,
  bind: '',
  port: '',
  targetHost: '',
  targetPort: '',
  ...o,
});

test('fields make the specs ssh -L, -R and -D would, each valid for the service', () => {
  const cases: [Parameters<typeof tunnelSpecOf>[0], unknown][] = [
    [
      fields({ port: '8080', targetHost: 'db.internal', targetPort: '5432' }),
      { type: 'local', listen: { port: 8080 }, connect: { host: 'db.internal', port: 5432 } },
    ],
    [
      fields({ bind: ' * ', port: '8080', targetHost: '/run/app.sock' }),
      { type: 'local', listen: { host: '*', port: 8080 }, connect: { path: '/run/app.sock' } },
    ],
    [
      fields({ kind: 'remote', port: '0', targetHost: 'localhost', targetPort: '22' }),
      { type: 'remote', listen: { port: 0 }, connect: { host: 'localhost', port: 22 } },
    ],
    // -R with no target: a SOCKS proxy on the server's side
    [
      fields({ kind: 'remote', port: '1080' }),
      { type: 'remote', listen: { port: 1080 }, connect: null },
    ],
    [
      fields({ kind: 'dynamic', bind: '127.0.0.1', port: '1080', targetHost: 'ignored' }),
      { type: 'dynamic', listen: { host: '127.0.0.1', port: 1080 } },
    ],
  ];
  for (const [f, spec] of cases) {
    const got = tunnelSpecOf(f);
    assert.deepEqual(got, spec, JSON.stringify(f));
    assert.equal(tunnelSchemaCheck(got), null, JSON.stringify(got));
  }
});

test('bad fields are refused with a sentence saying what is wrong', () => {
  const bad: [Parameters<typeof tunnelSpecOf>[0], RegExp][] = [
    [fields({ port: '0', targetHost: 'h', targetPort: '1' }), /1 to 65535/], // -L port 0
    [fields({ port: '65536', targetHost: 'h', targetPort: '1' }), /1 to 65535/],
    [fields({ kind: 'remote', port: 'x' }), /0 \(the server picks one\)/],
    [fields({ kind: 'dynamic', port: '' }), /listening port/],
    [fields({ port: '80' }), /needs a target/],
    [fields({ port: '80', targetHost: 'h' }), /target port/],
    [fields({ port: '80', targetPort: '22' }), /needs a host/],
    [fields({ port: '80', targetHost: '/s.sock', targetPort: '1' }), /socket path takes no port/],
  ];
  for (const [f, re] of bad) {
    const got = tunnelSpecOf(f);
    assert.equal(typeof got, 'string', JSON.stringify(f));
    assert.match(got as string, re);
  }
});

test("a tunnel's state in words: waiting, listening with counters, failed", () => {
  const base: TunnelInfo = {
    tunnelId: 't',
    connectionId: 'c',
    spec: { type: 'remote', listen: { port: 0 }, connect: null },
    description: '-R 0',
    state: 'listening',
    bound: [],
    port: 40000,
    activeConnections: 2,
    totalConnections: 5,
    bytesSent: 1536,
    bytesReceived: 3 * 1024 * 1024,
    lastError: null,
  };
  assert.equal(
    tunnelStatus(base),
    'listening on server port 40000 · 2 open, 5 in all · ↑ 1.5 KiB ↓ 3.0 MiB',
  );
  assert.equal(tunnelStatus({ ...base, state: 'waiting' }), 'waiting for the connection');
  assert.equal(tunnelStatus({ ...base, state: 'failed' }), 'failed');
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(250 * 1024), '250 KiB');
});
