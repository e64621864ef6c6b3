/**
 * The client's port forwards (forwarding-suite.ts) against the bundled `keyway sshd`, which
 * has no direct-streamlocal@openssh.com: there the suite checks the refusal is reported.
 */
import { userInfo } from 'node:os';
import { startKeywaySshd } from '../support/keyway-sshd.js';
import { forwardingSuite, startPeer } from './forwarding-suite.js';

forwardingSuite('keyway sshd', () =>
  startPeer(async (key) => {
    const s = await startKeywaySshd({ authorizedKeys: [key] });
    return { port: s.port, user: userInfo().username, unixSockets: false, stop: () => s.stop() };
  }),
);
