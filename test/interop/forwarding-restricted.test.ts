/**
 * Unix socket forwards (OpenSSH PROTOCOL §2.4) refused for a `no-port-forwarding` key, against
 * OpenSSH's sshd 9.2 and keyway sshd alike, through the client's Forwards: -L to a socket on
 * the server gets its channel open refused (reported on the forward; nothing reaches the
 * socket), -R with a socket path fails with ssh's words and makes
 * no file; TCP forwards are refused the same way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { connect as netConnect, createServer, type Server, type Socket } from 'node:net';
import { userInfo } from 'node:os';
import { Forwards } from '../../core/client/forwards.js';
import { parseLocalForward, parseRemoteForward } from '../../core/config/forward-spec.js';
import { ChannelOpenError } from '../../core/errors.js';
import { startKeywaySshd } from '../support/keyway-sshd.js';
import { tempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait.js';
import { startOpenSsh } from './harness/index.js';
import { startPeer, type SuiteServer } from './forwarding-suite.js';

/**
 * The open failure's reason: sshd 9.2 answers every refused direct-streamlocal with
 * CONNECT_FAILED (it passes no reason along for that type); keyway sshd says
 * ADMINISTRATIVELY_PROHIBITED, as both do for a refused direct-tcpip.
 */
const servers: [string, number, (key: string) => Promise<SuiteServer>][] = [
  [
    'OpenSSH',
    2,
    async (key) => {
      const s = await startOpenSsh({ authorizedKeys: [`no-port-forwarding ${key}`] });
      return { port: s.port, user: 'root', stop: () => s.stop() };
    },
  ],
  [
    'keyway sshd',
    1,
    async (key) => {
      const s = await startKeywaySshd({ authorizedKeys: [`no-port-forwarding ${key}`] });
      return { port: s.port, user: userInfo().username, stop: () => s.stop() };
    },
  ],
];

for (const [name, reason, start] of servers) {
  test(`${name}: a no-port-forwarding key gets no Unix socket (or TCP) forward`, async () => {
    const dir = tempDir('fwd-restricted');
    const peer = await startPeer(start);
    const forwards = new Forwards(peer.client.connection);
    const target: Server = createServer((s: Socket) => s.pipe(s));
    let reached = 0;
    target.on('connection', () => reached++);
    try {
      const socketPath = dir.path('echo.sock');
      target.listen(socketPath);
      await once(target, 'listening');

      // -L to the socket: our listener starts, the server refuses each channel open
      const spec = parseLocalForward(`127.0.0.1:1:${socketPath}`);
      const local = forwards.add({ ...spec, listen: { kind: 'tcp', host: '127.0.0.1', port: 0 } });
      await local.ready;
      const errors: unknown[] = [];
      local.on('connectionClosed', (e) => errors.push(e));
      const s = netConnect({ host: '127.0.0.1', port: local.status().port ?? 0 });
      s.on('error', () => {}); // the refused open resets it
      s.write('x');
      await new Promise((r) => s.on('close', r)); // once() would reject on the reset
      await waitFor(() => errors.length > 0, 'the refused open');
      const e = errors[0];
      assert.ok(e instanceof ChannelOpenError, String(e));
      assert.equal(e.openReason, reason);
      assert.equal(reached, 0, 'nothing reached the socket');

      // -R with a socket path, and a TCP -R for comparison
      const path = dir.path('remote.sock');
      const remote = forwards.add(parseRemoteForward(`${path}:127.0.0.1:22`));
      await assert.rejects(remote.ready, /remote port forwarding failed for listen path/);
      assert.equal(existsSync(path), false);
      const tcp = forwards.add(parseRemoteForward('0:127.0.0.1:22'));
      await assert.rejects(tcp.ready, /remote port forwarding failed for listen port 0/);
      assert.ok(!peer.client.connection.transport.isClosed, 'the refusals leave it up');
    } finally {
      await forwards.closeAll();
      await peer.stop();
      target.close();
      dir.cleanup();
    }
  });
}
