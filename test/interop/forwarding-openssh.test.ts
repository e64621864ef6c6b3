/** The client's port forwards (forwarding-suite.ts) against OpenSSH's sshd 9.2. */
import { forwardingSuite, startPeer } from './forwarding-suite.js';
import { startOpenSsh } from './harness/index.js';

forwardingSuite('OpenSSH', () =>
  startPeer(async (key) => {
    const s = await startOpenSsh({ authorizedKeys: [key], extraConfig: ['LogLevel INFO'] });
    return { port: s.port, user: 'root', stop: () => s.stop() };
  }),
);
