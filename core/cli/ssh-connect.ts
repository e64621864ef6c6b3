/**
 * How the command-line tools reach a server: `keyway ssh`, `keyway sftp` and `keyway scp` all
 * resolve their destination the same way (command-line options first, then the config file,
 * -F or ~/.ssh/config, as ssh_config(5) says the first value wins), check the host key against
 * known_hosts per StrictHostKeyChecking before anything about the user is sent, and ask for
 * passwords, passphrases and unknown host keys on the terminal, as ssh(1) does. Failures are
 * described in the one line ssh prints for them (describeFailure).
 */
import { homedir } from 'node:os';
import { AuthCancelled, AuthError } from '../auth/errors.js';
import { sanitizeForTerminal } from '../auth/messages.js';
import { connect, type ConnectOptions, type SshClient } from '../client/connect.js';
import { JumpHostError, ProxyCommandError } from '../client/route-errors.js';
import {
  buildConnectOptions,
  type ConnectFrontEnd,
  type ConnectTarget,
  type HopCallbacks,
  type KnownHostsPaths,
} from '../client/target-options.js';
import { emptyOptions, type SshOptions } from '../config/ssh-options.js';
import {
  ConnectionLost,
  DisconnectedByPeer,
  HostCertificateError,
  HostKeyError,
  SshError,
  TimeoutError,
} from '../errors.js';
import { hostKeyVerifier, type HostKeyPolicy } from '../hosts/index.js';
import { PassphraseCancelledError, WrongPassphraseError } from '../keys/index.js';
import { pinPrompt } from './pin-prompt.js';
import type { HostKeyVerifier } from '../transport/transport.js';
import { resolveDestination } from '../config/ssh-config-host.js';
import { tildeExpand } from '../config/ssh-config-tokens.js';
import { ttyPrompter, type Prompter } from './tty-prompt.js';

export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** `~` and `~/path` against the user's home directory, as ssh(1) expands file names. */
export function expandHome(p: string): string {
  return p === '~' ? homedir() : tildeExpand(p, homedir());
}

function hostKeyPolicy(
  o: SshOptions,
  host: string,
  port: number,
  paths: KnownHostsPaths,
  p: Prompter,
  onChanged: () => void,
): HostKeyVerifier {
  const common = { host, port, knownHostsFiles: paths.user, globalKnownHostsFiles: paths.global };
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
  if (e instanceof HostCertificateError) return `${e.message}\nHost key verification failed.`;
  if (e instanceof JumpHostError) {
    if (e.stage !== 'connect') return e.message;
    const { hop } = e;
    const why = describeFailure(e.cause, hop.user, hop.host, hop.port);
    return `jump host ${e.position} (${hop.user}@${hop.host} port ${hop.port}): ${why}`;
  }
  if (e instanceof ProxyCommandError) return e.message;
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
export interface CliTarget extends ConnectTarget {
  /** The options, command line first, then the config file's for this host. */
  readonly options: SshOptions;
  /** -F file, for the jump hosts' own options. */
  readonly configFile?: string;
}

/**
 * Resolves the destination as ssh(1) does (ssh-resolve.ts: the command line's options, then
 * `configFile`, or ~/.ssh/config and /etc/ssh/ssh_config when undefined): host, port and user
 * and the options Keyway acts on. `notActedOn` lists the other options given.
 */
export async function resolveTarget(
  o: SshOptions,
  destination: { readonly user?: string; readonly host: string; readonly port?: number },
  configFile: string | undefined,
): Promise<CliTarget & { readonly notActedOn: readonly string[] }> {
  const r = await resolveDestination(o, destination, configFile);
  for (const w of r.resolved.state.warnings) process.stderr.write(`${w}\n`);
  // forwards accumulate: -L/-R/-D first, then the config's (an -o LocalForward is in both)
  const options: SshOptions = {
    ...r.options,
    localForwards: unique([...o.localForwards, ...r.options.localForwards]),
    remoteForwards: unique([...o.remoteForwards, ...r.options.remoteForwards]),
    dynamicForwards: unique([...o.dynamicForwards, ...r.options.dynamicForwards]),
  };
  return {
    options,
    host: r.resolved.host,
    port: r.resolved.port,
    user: r.resolved.user,
    notActedOn: r.notActedOn,
    alias: destination.host,
    ...(configFile !== undefined ? { configFile } : {}),
  };
}

/** The list without repeats (OpenSSH drops a forward given twice). */
function unique<T>(list: readonly T[]): T[] {
  const seen = new Set<string>();
  return list.filter((x) => {
    const k = JSON.stringify(x);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * connect() with everything ssh(1) decides around it: identities (the -i files, else the
 * default ones), host-key policy, passphrase/password/keyboard-interactive prompts on the
 * terminal (none in BatchMode), algorithms, timeouts, rekeying and keepalive from the options.
 * Rejects with the error connect() gives; describeFailure() words it.
 */
export async function connectTarget(t: CliTarget, io: CliIo): Promise<SshClient> {
  return connect(await targetOptions(t, io, 0));
}

/**
 * connect()'s options for a target (core/client/target-options.ts), with the terminal's
 * prompts; its jump hosts each from its own config. `depth` counts the jump hosts above this
 * one (null: without its own route).
 */
export function targetOptions(
  t: CliTarget,
  io: CliIo,
  depth: number | null,
): Promise<ConnectOptions> {
  return buildConnectOptions(t, cliFrontEnd(io), depth);
}

function cliFrontEnd(io: CliIo): ConnectFrontEnd<CliTarget> {
  return {
    home: homedir(),
    onWarning: (m) => io.err(m),
    resolveHop: (spec, from) => resolveTarget(emptyOptions(), spec, from.configFile),
    callbacks: (t, paths) => hopPrompts(t, paths, io),
  };
}

/** The terminal's host-key policy and prompts for one hop (none in BatchMode). */
function hopPrompts(t: CliTarget, paths: KnownHostsPaths, io: CliIo): HopCallbacks {
  const { options: o, host, port, user } = t;
  const prompter = ttyPrompter(o.batchMode === true);
  let changedKey = false;
  return {
    verifyHostKey: hostKeyPolicy(o, host, port, paths, prompter, () => (changedKey = true)),
    passphrase: async (p) => {
      if (o.batchMode === true) {
        io.err(`Load key "${p.path}": it is encrypted, and BatchMode asks for no passphrase`);
        return null;
      }
      // ssh asks NumberOfPasswordPrompts times, then goes on without the key
      if (p.attempt > (o.numberOfPasswordPrompts ?? 3)) return null;
      return prompter.ask(`Enter passphrase for key '${p.path}': `, false);
    },
    pin: pinPrompt(prompter, o.batchMode === true, io),
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
    passwordsAllowed: () => !changedKey,
  };
}
