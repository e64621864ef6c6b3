/**
 * From a resolved target (hosts/hosts.ts) to connect()'s options, as ssh(1) decides them:
 * identity files (the profile's and ssh_config's, else the default ones under the home
 * directory), algorithms, timeouts, rekeying and keepalive from the ssh_config options, and the
 * person's answers through prompts. `~` is the service's home directory, not necessarily the
 * process's (tests and a portable install give their own).
 */
import { join } from 'node:path';
import type { ConnectOptions } from '../../client/connect.js';
import { optionSettings } from '../../client/option-settings.js';
import { defaultIdentityFiles } from '../../keys/index.js';
import type { HostKeyVerifier } from '../../transport/transport.js';
import type { ResolvedTarget } from '../hosts/hosts.js';

export function expandTilde(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p;
}

export interface PromptCallbacks {
  readonly verifyHostKey: HostKeyVerifier;
  readonly passphrase: NonNullable<ConnectOptions['passphrase']>;
  readonly password: NonNullable<ConnectOptions['password']>;
  readonly keyboardInteractive: NonNullable<ConnectOptions['keyboardInteractive']>;
  /** Read when authentication reaches password methods (a changed key turns them off). */
  readonly passwordsAllowed: () => boolean;
  readonly onWarning: (message: string) => void;
}

export function knownHostsFiles(t: ResolvedTarget, home: string): string[] {
  return (t.options.userKnownHostsFiles ?? ['~/.ssh/known_hosts', '~/.ssh/known_hosts2']).map((f) =>
    expandTilde(f, home),
  );
}

export function connectOptions(
  t: ResolvedTarget,
  home: string,
  agentPath: string | null | undefined,
  p: PromptCallbacks,
): ConnectOptions {
  const o = t.options;
  const explicit = o.identityFiles.length > 0;
  return {
    host: t.host,
    port: t.port,
    username: t.user,
    verifyHostKey: p.verifyHostKey,
    identityFiles: explicit
      ? o.identityFiles.map((f) => expandTilde(f, home))
      : defaultIdentityFiles(home),
    identityFilesExplicit: explicit,
    identitiesOnly: o.identitiesOnly ?? false,
    ...(agentPath !== undefined ? { agentPath } : {}),
    passphrase: p.passphrase,
    password: p.password,
    keyboardInteractive: p.keyboardInteractive,
    allow: {
      publickey: o.pubkeyAuthentication !== false,
      get password() {
        return o.passwordAuthentication !== false && p.passwordsAllowed();
      },
      get keyboardInteractive() {
        return o.kbdInteractiveAuthentication !== false && p.passwordsAllowed();
      },
    },
    ...optionSettings(o),
    connectTimeoutMs: (o.connectTimeout || 30) * 1000,
    onWarning: p.onWarning,
  };
}
