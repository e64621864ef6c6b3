/**
 * `keyway copy-id [-i identity] [-p port] [-o Option=value]... [-F configfile] destination`:
 * installs a public key in the remote account's ~/.ssh/authorized_keys, as OpenSSH's
 * ssh-copy-id(1) does. The key is `identity` (with .pub added when the name lacks it), or else
 * the first default identity (~/.ssh/id_ed25519.pub, …) that exists.
 *
 * One connection (authenticated the way `keyway ssh` would, a password included), two
 * commands run through `sh -c` in the login directory:
 *   1. read ~/.ssh/authorized_keys; if a line already holds the same key blob (comment and
 *      options do not count), nothing is changed and the key is reported as skipped;
 *   2. otherwise, with umask 077: `mkdir -m 700 -p .ssh`, add a newline if the file does not
 *      end in one, append the key line (sent on stdin, never in the command line) and run
 *      restorecon when the system has it, as ssh-copy-id does.
 * It prints what it did, and exits 0 when the key is there afterwards, 1 otherwise.
 */
import { finished } from 'node:stream/promises';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import type { SshClient } from '../client/connect.js';
import { applyDashO, emptyOptions } from '../config/ssh-options.js';
import { ProtocolError } from '../errors.js';
import {
  defaultIdentityFiles,
  formatOpenSshPublicKey,
  loadPublicKeyFile,
  type PublicKeyWithComment,
} from '../keys/index.js';
import { parseAuthorizedKeys } from '../server/authorized-keys.js';
import { parseArgs, UsageError } from './args.js';
import {
  connectTarget,
  describeFailure,
  expandHome,
  resolveTarget,
  type CliIo,
} from './ssh-connect.js';
import { parseDestination } from './ssh-args.js';

/** Largest authorized_keys read back (OpenSSH's own limit for the file is far below this). */
export const MAX_REMOTE_AUTHORIZED_KEYS = 16 * 1024 * 1024;

const READ_KEYS = `exec sh -c 'cat .ssh/authorized_keys 2>/dev/null; exit 0'`;
const APPEND_KEY =
  `exec sh -c 'cd; umask 077; mkdir -m 700 -p .ssh && ` +
  `{ [ -z "$(tail -c 1 .ssh/authorized_keys 2>/dev/null)" ] || echo >> .ssh/authorized_keys || exit 1; } && ` +
  `cat >> .ssh/authorized_keys || exit 1; ` +
  `if type restorecon >/dev/null 2>&1; then restorecon -F .ssh .ssh/authorized_keys; fi'`;

/** The .pub file for an -i argument, or the first default identity's that exists. */
function publicKeyPath(identity: string | undefined): string {
  if (identity !== undefined) {
    const path = expandHome(identity);
    return path.endsWith('.pub') ? path : `${path}.pub`;
  }
  const found = defaultIdentityFiles(homedir())
    .map((f) => `${f}.pub`)
    .find((f) => existsSync(f));
  if (found === undefined) throw new UsageError('no identities found: give one with -i');
  return found;
}

/** Runs `command` with `input` on stdin; resolves with stdout, stderr and the exit code. */
async function run(
  client: SshClient,
  command: string,
  input: string,
): Promise<{ out: Buffer; err: string; code: number | null }> {
  const s = await client.openSession();
  const out: Buffer[] = [];
  let size = 0;
  let err = '';
  s.stdout.on('data', (d: Buffer) => {
    size += d.length;
    if (size > MAX_REMOTE_AUTHORIZED_KEYS) {
      s.close();
      return;
    }
    out.push(d);
  });
  s.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4096)));
  await s.exec(command);
  s.stdin.end(input);
  await Promise.all([finished(s.stdout), finished(s.stderr)]).catch(() => {});
  if (size > MAX_REMOTE_AUTHORIZED_KEYS) {
    throw new ProtocolError(
      `the remote authorized_keys is larger than ${MAX_REMOTE_AUTHORIZED_KEYS} bytes`,
    );
  }
  const exit = await s.exit.catch(() => null);
  return { out: Buffer.concat(out), err, code: exit !== null && 'code' in exit ? exit.code : null };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export async function copyIdMain(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { withValue: ['i', 'p', 'o', 'F', 'l'], flags: [] });
  if (args.positionals.length !== 1) {
    throw new UsageError('copy-id takes one destination ([user@]host)');
  }
  const options = emptyOptions();
  for (const [name, v] of args.given) {
    if (name === 'p') applyDashO(options, `Port=${v}`);
    else if (name === 'l') applyDashO(options, `User=${v}`);
    else if (name === 'o') applyDashO(options, v);
  }
  const pubPath = publicKeyPath(args.value('i'));
  const key: PublicKeyWithComment = await loadPublicKeyFile(pubPath);
  if (key.publicKey.certificate !== undefined) {
    throw new UsageError(`${pubPath} is a certificate, not a key to install`);
  }
  io.err(`keyway copy-id: INFO: Source of key(s) to be installed: "${pubPath}"`);
  const target = await resolveTarget(
    options,
    parseDestination(args.positionals[0] ?? ''),
    args.value('F'),
  );
  const { host, port, user } = target;
  let client: SshClient;
  try {
    client = await connectTarget(target, io);
  } catch (e) {
    io.err(describeFailure(e, user, host, port));
    return 1;
  }
  try {
    const current = await run(client, READ_KEYS, '');
    const installed = parseAuthorizedKeys(current.out).entries.some((e) =>
      sameBytes(e.blob, key.publicKey.blob),
    );
    if (installed) {
      io.err(
        `keyway copy-id: WARNING: All keys were skipped because they already exist on the remote system.`,
      );
      return 0;
    }
    const line = formatOpenSshPublicKey(key.publicKey, key.comment) + '\n';
    const added = await run(client, APPEND_KEY, line);
    if (added.code !== 0) {
      io.err(
        `keyway copy-id: ERROR: could not install the key: ${added.err.trim() || `exit status ${String(added.code)}`}`,
      );
      return 1;
    }
    const dest = `${user}@${host}`;
    io.out('');
    io.out('Number of key(s) added: 1');
    io.out('');
    io.out(
      `Now try logging into the machine, with: "keyway ssh ${port !== 22 ? `-p ${port} ` : ''}'${dest}'"`,
    );
    io.out('and check to make sure that only the key(s) you wanted were added.');
    return 0;
  } finally {
    client.close();
  }
}
