/**
 * How the command-line tools reach a server: `keyway ssh`, `keyway sftp` and `keyway scp` all
 * resolve their destination the same way (command-line options first, then the config file,
 * -F or ~/.ssh/config, as ssh_config(5) says the first value wins), check the host key against
 * known_hosts per StrictHostKeyChecking before anything about the user is sent, and ask for
 * passwords, passphrases and unknown host keys on the terminal, as ssh(1) does. Failures are
 * described in the one line ssh prints for them (describeFailure).
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { AuthCancelled, AuthError } from '../auth/errors.js';
import { sanitizeForTerminal } from '../auth/messages.js';
import { connect, type SshClient } from '../client/connect.js';
import { parseSshConfig, resolveHost } from '../config/ssh-config.js';
import { applyOption, type SshOptions } from '../config/ssh-options.js';
import {
  ConnectionLost,
  DisconnectedByPeer,
  HostKeyError,
  SshError,
  TimeoutError,
} from '../errors.js';
import { hostKeyVerifier, type HostKeyPolicy } from '../hosts/index.js';
import {
  defaultIdentityFiles,
  PassphraseCancelledError,
  WrongPassphraseError,
} from '../keys/index.js';
import type { HostKeyVerifier } from '../transport/transport.js';
import { UsageError } from './args.js';
import { ttyPrompter, type Prompter } from './tty-prompt.js';

export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** Keywords read from config files now; the full language comes with the ssh_config issue. */
const CONFIG_FILE_KEYWORDS = new Set([
  'hostname',
  'user',
  'port',
  'identityfile',
  'identitiesonly',
  'stricthostkeychecking',
  'userknownhostsfile',
  'passwordauthentication',
  'kbdinteractiveauthentication',
  'batchmode',
  'kexalgorithms',
  'ciphers',
  'macs',
  'hostkeyalgorithms',
  'pubkeyacceptedalgorithms',
  'serveraliveinterval',
  'serveralivecountmax',
  'connecttimeout',
  'requesttty',
  'setenv',
  'sendenv',
  'rekeylimit',
  'numberofpasswordprompts',
  'pubkeyauthentication',
  'localforward',
  'remoteforward',
  'dynamicforward',
  'exitonforwardfailure',
  'gatewayports',
  'forwardagent',
  'forwardx11',
  'forwardx11trusted',
]);

export function expandHome(p: string): string {
  return p === '~' ? homedir() : p.startsWith('~/') ? homedir() + p.slice(1) : p;
}

function applyConfigFile(o: SshOptions, file: string, host: string, explicit: boolean): void {
  if (file === '/dev/null') return;
  if (!existsSync(file)) {
    if (explicit)
      throw new UsageError(`Can't open user config file ${file}: No such file or directory`);
    return;
  }
  const config = parseSshConfig(readFileSync(file, 'utf8'), file);
  for (const [keyword, values] of resolveHost(config, host)) {
    if (!CONFIG_FILE_KEYWORDS.has(keyword)) continue;
    for (const args of values) applyOption(o, keyword, args, file);
  }
}

function hostKeyPolicy(
  o: SshOptions,
  host: string,
  port: number,
  p: Prompter,
  onChanged: () => void,
): HostKeyVerifier {
  const common = {
    host,
    port,
    knownHostsFiles: (o.userKnownHostsFiles ?? ['~/.ssh/known_hosts', '~/.ssh/known_hosts2']).map(
      expandHome,
    ),
    globalKnownHostsFiles: ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'],
  };
  const strict = o.strictHostKeyChecking ?? 'ask';
  let policy: HostKeyPolicy;
  if (strict === 'ask' && !o.batchMode) {
    policy = {
      ...common,
      strict: 'ask',
      ask: async (q) => {
        p.say(
          `The authenticity of host '${q.name}' can't be established.\n` +
            `${q.keyType.replace(/^ssh-|-sha2-nistp\d+$/g, '').toUpperCase()} key fingerprint is ${q.fingerprint}.\n` +
            `This key is not known by any other names.\n`,
        );
        for (;;) {
          const a = await p.ask(
            'Are you sure you want to continue connecting (yes/no/[fingerprint])? ',
            true,
          );
          if (a === null || a === 'no') return false;
          if (a === 'yes' || a === q.fingerprint) return true;
          p.say("Please type 'yes', 'no' or the fingerprint: ");
        }
      },
    };
  } else if (strict === 'no') {
    policy = {
      ...common,
      strict: 'no',
      onEvent: (e) => {
        if (e.kind === 'added')
          p.say(
            `Warning: Permanently added '${e.name}' (${e.keyType}) to the list of known hosts.\n`,
          );
        if (e.kind === 'changed-key-accepted') {
          onChanged();
          p.say(
            `@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n` +
              `@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n` +
              `@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n` +
              `The ${e.keyType} host key for ${e.name} is now ${e.fingerprint}.\n` +
              `Password and keyboard-interactive authentication are disabled to avoid man-in-the-middle attacks.\n`,
          );
        }
      },
    };
  } else {
    policy = { ...common, strict: strict === 'ask' ? 'yes' : strict };
  }
  return hostKeyVerifier(policy);
}

/** The one line ssh prints for a failed connection (without the "ssh: " prefix handling). */
export function describeFailure(e: unknown, user: string, host: string, port: number): string {
  if (e instanceof HostKeyError) {
    if (e.kind === 'mismatch') {
      const known = e.known.map((k) => `${k.fingerprint} (${k.file}:${k.line})`).join(', ');
      return `Host key verification failed: the ${e.presented.type} key of ${host} is ${e.presented.fingerprint}, known_hosts has ${known}.`;
    }
    if (e.kind === 'revoked')
      return `Host key ${e.presented.fingerprint} for ${host} is marked as revoked. Host key verification failed.`;
    return `No ${e.presented.type} host key is known for ${host} and you have requested strict checking. Host key verification failed.`;
  }
  if (e instanceof AuthError) return `${user}@${host}: ${e.message}`;
  if (e instanceof WrongPassphraseError || e instanceof PassphraseCancelledError) return e.message;
  if (e instanceof AuthCancelled) return `${user}@${host}: ${e.message}`;
  if (e instanceof TimeoutError)
    return `connect to host ${host} port ${port}: Connection timed out`;
  if (e instanceof ConnectionLost) {
    const m = /connect to .*: (.*)$/.exec(e.message);
    const code = e.details['code'];
    if (code === 'ECONNREFUSED') return `connect to host ${host} port ${port}: Connection refused`;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
      return `Could not resolve hostname ${host}: Name or service not known`;
    if (m) return `connect to host ${host} port ${port}: ${m[1]}`;
    return `Connection closed by ${host} port ${port}`;
  }
  if (e instanceof DisconnectedByPeer) {
    const why = sanitizeForTerminal(e.description);
    return `Received disconnect from ${host} port ${port}:${e.peerReason}: ${why}\nDisconnected from ${host} port ${port}`;
  }
  if (e instanceof SshError) return `${host} port ${port}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

/** Where a command connects: the destination as typed, resolved against the options. */
export interface CliTarget {
  /** The options, command line first, then the config file's for this host. */
  readonly options: SshOptions;
  /** The host name connected to (HostName when the config gives one). */
  readonly host: string;
  readonly port: number;
  readonly user: string;
}

/**
 * Applies the config file (`configFile`, or ~/.ssh/config when undefined) for the host as
 * typed to `o` (which already holds the command line's options) and resolves host, port and
 * user: the destination's own user and port win over both.
 */
export function resolveTarget(
  o: SshOptions,
  destination: { readonly user?: string; readonly host: string; readonly port?: number },
  configFile: string | undefined,
): CliTarget {
  applyConfigFile(
    o,
    expandHome(configFile ?? '~/.ssh/config'),
    destination.host,
    configFile !== undefined,
  );
  return {
    options: o,
    host: o.hostName ?? destination.host,
    port: destination.port ?? o.port ?? 22,
    user: destination.user ?? o.user ?? userInfo().username,
  };
}

/**
 * connect() with everything ssh(1) decides around it: identities (the -i files, else the
 * default ones), host-key policy, passphrase/password/keyboard-interactive prompts on the
 * terminal (none in BatchMode), algorithms, timeouts, rekeying and keepalive from the options.
 * Rejects with the error connect() gives; describeFailure() words it.
 */
export function connectTarget(t: CliTarget, io: CliIo): Promise<SshClient> {
  const { options: o, host, port, user } = t;
  const prompter = ttyPrompter(o.batchMode === true);
  let changedKey = false;
  const allowPasswords = (flag: boolean | undefined) => flag !== false && !changedKey;
  const explicitIds = o.identityFiles.length > 0;
  return connect({
    host,
    port,
    username: user,
    verifyHostKey: hostKeyPolicy(o, host, port, prompter, () => (changedKey = true)),
    identityFiles: explicitIds ? o.identityFiles.map(expandHome) : defaultIdentityFiles(homedir()),
    identityFilesExplicit: explicitIds,
    identitiesOnly: o.identitiesOnly ?? false,
    passphrase: async (p) => {
      if (o.batchMode === true) {
        io.err(`Load key "${p.path}": it is encrypted, and BatchMode asks for no passphrase`);
        return null;
      }
      // ssh asks NumberOfPasswordPrompts times, then goes on without the key
      if (p.attempt > (o.numberOfPasswordPrompts ?? 3)) return null;
      return prompter.ask(`Enter passphrase for key '${p.path}': `, false);
    },
    password: async ({ attempt }) => {
      if (attempt > 1) io.err('Permission denied, please try again.');
      return prompter.ask(`${user}@${host}'s password: `, false);
    },
    keyboardInteractive: async (req) => {
      if (req.name) prompter.say(req.name + '\n');
      if (req.instruction) prompter.say(req.instruction + '\n');
      const answers: string[] = [];
      for (const q of req.prompts) {
        const a = await prompter.ask(q.prompt, q.echo);
        if (a === null) return null;
        answers.push(a);
      }
      return answers;
    },
    onBanner: (text) => prompter.say(text),
    // getters: read after the host-key check, which may have disabled password methods
    allow: {
      publickey: o.pubkeyAuthentication !== false,
      get password() {
        return allowPasswords(o.passwordAuthentication);
      },
      get keyboardInteractive() {
        return allowPasswords(o.kbdInteractiveAuthentication);
      },
    },
    ...(o.pubkeyAcceptedAlgorithms
      ? { pubkeyAlgorithms: o.pubkeyAcceptedAlgorithms.split(',') }
      : {}),
    ...(o.numberOfPasswordPrompts !== undefined ? { maxPrompts: o.numberOfPasswordPrompts } : {}),
    algorithms: {
      ...(o.kexAlgorithms ? { kex: o.kexAlgorithms } : {}),
      ...(o.ciphers ? { ciphers: o.ciphers } : {}),
      ...(o.macs ? { macs: o.macs } : {}),
      ...(o.hostKeyAlgorithms ? { hostKey: o.hostKeyAlgorithms } : {}),
    },
    ...(o.connectTimeout ? { connectTimeoutMs: o.connectTimeout * 1000 } : {}),
    ...(o.rekeyLimit?.bytes ? { rekeyLimitBytes: o.rekeyLimit.bytes } : {}),
    ...(o.rekeyLimit?.seconds ? { rekeyIntervalMs: o.rekeyLimit.seconds * 1000 } : {}),
    ...(o.serverAliveInterval
      ? {
          keepalive: {
            intervalMs: o.serverAliveInterval * 1000,
            countMax: o.serverAliveCountMax ?? 3,
          },
        }
      : {}),
    onWarning: (m) => io.err(m),
  });
}
