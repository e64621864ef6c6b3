/**
 * The client's Forwards (core/client/forwards.ts) over an in-memory connection pair whose
 * server side is scripted here: the tcpip-forward request as sent (OpenSSH's bind addresses),
 * the allocated port read from the reply, a refusal failing the forward, cancel-tcpip-forward
 * on close, forwarded-tcpip opens for forwards never asked for (or malformed) refused, an open
 * arriving before the tcpip-forward reply was handled still served, the connection's end
 * closing every forward, Unix socket listeners made 0600, and the client's bind rules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { statSync } from 'node:fs';
import { connect as netConnect, createServer, type AddressInfo } from 'node:net';
import { ForwardError } from '../../../core/client/forward-errors.js';
import { localBindTargets } from '../../../core/client/forward-listen.js';
import { parseLocalForward, parseRemoteForward } from '../../../core/config/forward-spec.js';
import { Forwards, remoteBindAddress } from '../../../core/client/forwards.js';
import {
  decodeTcpipForward,
  encodeForwardPort,
  encodeTcpipOpen,
} from '../../../core/connection/forward-messages.js';
import { OpenFailureReason, type Connection } from '../../../core/connection/index.js';
import { ChannelOpenError } from '../../../core/errors.js';
import { connectionPair } from '../../support/connection-pair.js';
import { tempDir } from '../../support/temp-dir.js';
import { waitFor } from '../../support/wait.js';

interface Seen {
  name: string;
  bindAddress: string;
  port: number;
}

/** A server that grants tcpip-forward (port 0 → 40000) and records every request. */
async function scriptedPair(grant = true) {
  const { client, server } = await connectionPair();
  const seen: Seen[] = [];
  server.onGlobalRequest = (name, data, answer) => {
    const f = decodeTcpipForward(data, name);
    seen.push({ name, ...f });
    if (!grant) return answer(false);
    answer(true, name === 'tcpip-forward' && f.port === 0 ? encodeForwardPort(40000) : undefined);
  };
  return { client, server, seen, forwards: new Forwards(client) };
}

function forwardedOpen(server: Connection, host: string, port: number) {
  const extra = encodeTcpipOpen({ host, port, originatorAddress: '10.0.0.9', originatorPort: 5 });
  return server.openChannel('forwarded-tcpip', extra);
}

test('-R: the request as OpenSSH sends it, the allocated port, cancel on close', async () => {
  const { client, seen, forwards } = await scriptedPair();
  const a = forwards.add(parseRemoteForward('0:127.0.0.1:22'));
  const b = forwards.add(parseRemoteForward('*:8022:127.0.0.1:22'));
  const c = forwards.add(parseRemoteForward('10.1.1.1:8023:127.0.0.1:22'));
  await Promise.all([a.ready, b.ready, c.ready]);
  assert.equal(a.status().port, 40000);
  assert.equal(b.status().port, 8022);
  assert.deepEqual(seen, [
    { name: 'tcpip-forward', bindAddress: 'localhost', port: 0 },
    { name: 'tcpip-forward', bindAddress: '', port: 8022 },
    { name: 'tcpip-forward', bindAddress: '10.1.1.1', port: 8023 },
  ]);
  await a.close();
  assert.deepEqual(seen.at(-1), {
    name: 'cancel-tcpip-forward',
    bindAddress: 'localhost',
    port: 40000,
  });
  assert.equal(a.state, 'closed');
  client.disconnect();
});

test('-R refused by the server: the forward fails with a ForwardError', async () => {
  const { client, forwards } = await scriptedPair(false);
  const f = forwards.add(parseRemoteForward('8022:127.0.0.1:22'));
  await assert.rejects(f.ready, (e: unknown) => e instanceof ForwardError);
  assert.equal(f.state, 'failed');
  assert.equal(f.status().lastError, 'remote port forwarding failed for listen port 8022');
  client.disconnect();
});

test('forwarded-tcpip for a forward never asked for, or malformed, is refused', async () => {
  const { client, server, forwards } = await scriptedPair();
  const f = forwards.add(parseRemoteForward('0:127.0.0.1:22'));
  await f.ready;
  // right port, other address; right address, other port; nothing at all
  for (const [host, port] of [
    ['0.0.0.0', 40000],
    ['localhost', 40001],
    ['example.org', 80],
  ] as const) {
    await assert.rejects(
      forwardedOpen(server, host, port),
      (e: unknown) =>
        e instanceof ChannelOpenError &&
        e.openReason === OpenFailureReason.ADMINISTRATIVELY_PROHIBITED &&
        e.description.includes('no remote forward'),
    );
  }
  const junk = Uint8Array.of(0, 0, 0, 200, 1, 2);
  await assert.rejects(server.openChannel('forwarded-tcpip', junk), ChannelOpenError);
  assert.equal(f.status().totalConnections, 0);
  assert.equal(client.channelCount, 0);
  client.disconnect();
});

test('an open that arrives before the tcpip-forward reply was handled waits for it', async () => {
  const { client, server, forwards } = await scriptedPair();
  const target = createServer((s) => s.end('hi'));
  target.listen(0, '127.0.0.1');
  await once(target, 'listening');
  const port = (target.address() as AddressInfo).port;
  // the open comes first, as it can when both arrive in one read and the reply's handler
  // has not run yet: it must wait for the reply, not be refused
  let got = '';
  server.onGlobalRequest = (_name, _data, answer) => {
    void forwardedOpen(server, 'localhost', 40100).then((ch) => {
      ch.incoming.on('data', (d: Buffer) => (got += d.toString()));
      ch.incoming.on('end', () => ch.close());
    });
    answer(true, encodeForwardPort(40100));
  };
  const f = forwards.add(parseRemoteForward(`0:127.0.0.1:${port}`));
  await f.ready;
  await waitFor(() => f.status().totalConnections === 1 && f.status().activeConnections === 0);
  assert.equal(got, 'hi');
  assert.equal(f.status().bytesSent, 2);
  target.close();
  client.disconnect();
});

test('the connection ending closes every forward and its listener', async () => {
  const { client, forwards } = await scriptedPair();
  const spec = parseLocalForward('127.0.0.1:1:example.org:80');
  const f = forwards.add({ ...spec, listen: { kind: 'tcp', host: '127.0.0.1', port: 0 } });
  await f.ready;
  const port = f.status().port ?? 0;
  client.disconnect();
  await waitFor(() => f.state === 'closed', 'the forward to close');
  const probe = netConnect({ host: '127.0.0.1', port });
  await assert.rejects(once(probe, 'connect'), /ECONNREFUSED/);
  const late = forwards.add(spec);
  await assert.rejects(late.ready, ForwardError);
});

test('a Unix socket listener is made 0600 and an existing path is an error', async () => {
  const dir = tempDir('fwd-unix');
  try {
    const { client, forwards } = await scriptedPair();
    const path = dir.path('l.sock');
    const f = forwards.add(parseLocalForward(`${path}:example.org:80`));
    await f.ready;
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const again = forwards.add(parseLocalForward(`${path}:example.org:80`));
    await assert.rejects(again.ready, /cannot listen on .*l\.sock: .*EADDRINUSE/);
    await f.close();
    await waitFor(() => {
      try {
        statSync(path);
        return false;
      } catch {
        return true;
      }
    }, 'the socket file to go');
    client.disconnect();
  } finally {
    dir.cleanup();
  }
});

test("bind addresses by OpenSSH's client rules (GatewayPorts)", () => {
  const hosts = (t: ReturnType<typeof localBindTargets>) =>
    t === 'lookup' ? t : t.map((x) => x.host);
  assert.deepEqual(hosts(localBindTargets(null, false)), ['127.0.0.1', '::1']);
  assert.deepEqual(hosts(localBindTargets(null, true)), ['0.0.0.0', '::']);
  assert.deepEqual(hosts(localBindTargets('', false)), ['0.0.0.0', '::']);
  assert.deepEqual(hosts(localBindTargets('*', false)), ['0.0.0.0', '::']);
  assert.deepEqual(hosts(localBindTargets('LOCALHOST', true)), ['127.0.0.1', '::1']);
  assert.deepEqual(hosts(localBindTargets('192.168.1.2', false)), ['192.168.1.2']);
  assert.equal(localBindTargets('myhost', false), 'lookup');
  assert.equal(remoteBindAddress(null), 'localhost');
  assert.equal(remoteBindAddress('*'), '');
  assert.equal(remoteBindAddress(''), '');
  assert.equal(remoteBindAddress('10.0.0.1'), '10.0.0.1');
});
