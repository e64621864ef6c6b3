/**
 * The client's port forwards (forwarding-suite.ts) against the bundled `keyway sshd`, Unix
 * socket forwarding (direct-streamlocal, streamlocal-forward) included.
 */
import { userInfo } from 'node:os';
import { startKeywaySshd } from '../support/keyway-sshd.js';
import { forwardingSuite, startPeer } from './forwarding-suite.js';

forwardingSuite('keyway sshd', () =>
  startPeer(async (key) => {
    const s = await startKeywaySshd({ authorizedKeys: [key] });
    return { port: s.port, user: userInfo().username, stop: () => s.stop() };
  }),
);
