/**
 * connect() options for tests against a server on 127.0.0.1: one identity file, no agent, and
 * the host key checked strictly against one known_hosts file under [127.0.0.1]:port.
 */
import type { ConnectOptions } from '../../core/client/connect.js';
import { hostKeyVerifier } from '../../core/hosts/index.js';

export function localConnectOptions(o: {
  readonly port: number;
  readonly username: string;
  readonly identity: string;
  readonly knownHosts: string;
}): ConnectOptions {
  return {
    host: '127.0.0.1',
    port: o.port,
    username: o.username,
    verifyHostKey: hostKeyVerifier({
      host: '127.0.0.1',
      port: o.port,
      knownHostsFiles: [o.knownHosts],
      globalKnownHostsFiles: [],
      strict: 'yes',
    }),
    identityFiles: [o.identity],
    identityFilesExplicit: true,
    identitiesOnly: true,
    agentPath: null,
  };
}
