// The interop harness: real OpenSSH and dropbear servers (the host's bookworm ones, or trixie's
// in a chroot) on 127.0.0.1, each in its own temp dir, stopped by PID. DESIGN.md "Real
// components in tests". Import from here: '../harness/index.js'.
export type {
  AlgorithmLists,
  DropbearOptions,
  Flavor,
  HostKeyInfo,
  HostKeyType,
  RunningServer,
  ServerOptions,
} from './types.js';
export { startOpenSsh, serverAlgorithms } from './openssh.js';
export { startDropbear } from './dropbear.js';
export { trixieRootPath } from './roots.js';
export { freePort, freePorts } from './process.js';
export { keyscan, runClient, ssh } from './clients.js';
export type { ClientResult } from './clients.js';
export { ensureTestUser, setTestUserAuthorizedKeys, TEST_USER, TEST_PASSWORD } from './users.js';
export { startAgent, type RunningAgent } from './agent.js';
