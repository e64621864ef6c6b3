/**
 * From a resolved destination (ssh_config(5) options, host, port, user) to connect()'s options,
 * as ssh(1) decides them, for every front end: `keyway ssh`/`sftp`/`scp` and the app's service.
 * Shared here: the route through jump hosts or a ProxyCommand with each hop resolved on its own
 * (route-options.ts), certificate host-key algorithms first when known_hosts has an
 * @cert-authority for the host, the known_hosts files, identity and certificate files (the
 * default ones when none are named), PKCS11Provider, which authentication methods are allowed,
 * and the settings straight from the options (option-settings.ts). What a front end supplies
 * (ConnectFrontEnd) is how to resolve a jump host's name and, for each hop, the host-key
 * verifier and the prompts: a terminal asks on the tty, the service sends prompt events.
 */
import type { JumpHostSpec } from '../config/jump-spec.js';
import type { SshOptions } from '../config/ssh-options.js';
import { tildeExpand } from '../config/ssh-config-tokens.js';
import { matchPattern } from '../hosts/index.js';
import { certificateAlgorithmPreference } from '../hosts/host-certificate.js';
import { defaultIdentityFiles, type PassphraseCallback, type PinCallback } from '../keys/index.js';
import type { HostKeyVerifier } from '../transport/transport.js';
import type { ConnectOptions } from './connect.js';
import { optionSettings } from './option-settings.js';
import { routeOptions, type JumpPosition } from './route-options.js';

export type { JumpPosition } from './route-options.js';

/** OpenSSH's GlobalKnownHostsFile default. */
export const DEFAULT_GLOBAL_KNOWN_HOSTS: readonly string[] = [
  '/etc/ssh/ssh_known_hosts',
  '/etc/ssh/ssh_known_hosts2',
];

/** A destination resolved through ssh_config: what a hop of a route is, too. */
export interface ConnectTarget {
  /** The options for this host, first value wins. */
  readonly options: SshOptions;
  /** The host name connected to (HostName when the config gives one). */
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** The host as named, before HostName (ProxyCommand's %n). */
  readonly alias: string;
}

export interface KnownHostsPaths {
  /** UserKnownHostsFile, expanded: read, and new keys go to the first. */
  readonly user: readonly string[];
  /** GlobalKnownHostsFile: only read. */
  readonly global: readonly string[];
}

/** A front end's callbacks for one hop (the destination or one of its jump hosts). */
export interface HopCallbacks {
  readonly verifyHostKey: HostKeyVerifier;
  readonly passphrase?: PassphraseCallback;
  readonly pin?: PinCallback;
  readonly password?: ConnectOptions['password'];
  readonly keyboardInteractive?: ConnectOptions['keyboardInteractive'];
  readonly onBanner?: (text: string) => void;
  /** Read when authentication reaches password methods (a changed key accepted turns them off). */
  readonly passwordsAllowed: () => boolean;
}

export interface ConnectFrontEnd<T extends ConnectTarget> {
  /** The home directory `~` stands for. */
  readonly home: string;
  /** Default DEFAULT_GLOBAL_KNOWN_HOSTS. */
  readonly globalKnownHostsFiles?: readonly string[];
  /** Agent socket; undefined: $SSH_AUTH_SOCK; null: none. */
  readonly agentPath?: string | null;
  /** ConnectTimeout when the options give none (seconds); default none. */
  readonly defaultConnectTimeout?: number;
  readonly onWarning?: (message: string) => void;
  /** A jump host's target: its -J entry, then the config file for its name. */
  resolveHop(spec: JumpHostSpec, from: T): Promise<T>;
  /** The verifier and prompts for one hop; `jump` is null for the destination itself. */
  callbacks(t: T, knownHosts: KnownHostsPaths, jump: JumpPosition | null): HopCallbacks;
}

/** UserKnownHostsFile (expanded) and the global files, as ssh reads them. */
export function knownHostsPaths(
  o: SshOptions,
  home: string,
  global: readonly string[] = DEFAULT_GLOBAL_KNOWN_HOSTS,
): KnownHostsPaths {
  const user = o.userKnownHostsFiles ?? ['~/.ssh/known_hosts', '~/.ssh/known_hosts2'];
  return { user: user.map((f) => tildeExpand(f, home)), global };
}

/**
 * connect()'s options for a target: its own, and its route (each jump host's from its own
 * config, or its ProxyCommand). `depth` counts the jump hosts above this one; null builds the
 * target without a route (a hop whose route the chain replaces).
 */
export async function buildConnectOptions<T extends ConnectTarget>(
  t: T,
  fe: ConnectFrontEnd<T>,
  depth: number | null = 0,
  jump: JumpPosition | null = null,
): Promise<ConnectOptions> {
  const route =
    depth === null
      ? {}
      : await routeOptions(t, depth, {
          resolve: (spec, from) => fe.resolveHop(spec, from),
          build: (hop, d, at) => buildConnectOptions(hop, fe, d, at),
        });
  return { ...(await ownOptions(t, fe, jump)), ...route };
}

async function ownOptions<T extends ConnectTarget>(
  t: T,
  fe: ConnectFrontEnd<T>,
  jump: JumpPosition | null,
): Promise<ConnectOptions> {
  const { options: o, host, port, user } = t;
  const paths = knownHostsPaths(o, fe.home, fe.globalKnownHostsFiles);
  // certificate host-key algorithms first when known_hosts has a CA for the host
  const hostKeyAlgorithms =
    o.hostKeyAlgorithms ??
    (await certificateAlgorithmPreference([...paths.user, ...paths.global], host, port));
  const settings = optionSettings(o);
  const cb = fe.callbacks(t, paths, jump);
  const expand = (p: string) => tildeExpand(p, fe.home);
  const explicitIds = o.identityFiles.length > 0;
  const timeout = o.connectTimeout || fe.defaultConnectTimeout;
  return {
    host,
    port,
    username: user,
    verifyHostKey: cb.verifyHostKey,
    identityFiles: explicitIds ? o.identityFiles.map(expand) : defaultIdentityFiles(fe.home),
    identityFilesExplicit: explicitIds,
    identitiesOnly: o.identitiesOnly ?? false,
    ...(o.certificateFiles ? { certificateFiles: o.certificateFiles.map(expand) } : {}),
    ...(fe.agentPath !== undefined ? { agentPath: fe.agentPath } : {}),
    ...(o.pkcs11Provider ? { pkcs11Provider: expand(o.pkcs11Provider) } : {}),
    ...(cb.passphrase ? { passphrase: cb.passphrase } : {}),
    ...(cb.pin ? { pin: cb.pin } : {}),
    ...(cb.password ? { password: cb.password } : {}),
    ...(cb.keyboardInteractive ? { keyboardInteractive: cb.keyboardInteractive } : {}),
    ...(cb.onBanner ? { onBanner: cb.onBanner } : {}),
    // getters: read after the host-key check, which may have disabled password methods
    allow: {
      publickey: o.pubkeyAuthentication !== false,
      get password() {
        return o.passwordAuthentication !== false && cb.passwordsAllowed();
      },
      get keyboardInteractive() {
        return o.kbdInteractiveAuthentication !== false && cb.passwordsAllowed();
      },
    },
    ...settings,
    ...(timeout ? { connectTimeoutMs: timeout * 1000 } : {}),
    algorithms: {
      ...settings.algorithms,
      ...(hostKeyAlgorithms ? { hostKey: hostKeyAlgorithms } : {}),
    },
    ...(fe.onWarning ? { onWarning: fe.onWarning } : {}),
  };
}

/** The environment a session sends (SetEnv, then SendEnv's matches in `env`), as ssh does. */
export function sessionEnvironment(
  o: SshOptions,
  env: NodeJS.ProcessEnv = process.env,
): [string, string][] {
  const out: [string, string][] = [...o.setEnv];
  for (const pattern of o.sendEnv) {
    for (const [k, v] of Object.entries(env)) {
      if (v !== undefined && matchPattern(k, pattern)) out.push([k, v]);
    }
  }
  return out;
}
