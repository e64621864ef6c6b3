/**
 * `keyway sshd`: the bundled headless sshd, for local testing and demos (core/server/sshd.ts).
 *
 *   keyway sshd [-p port (2222)] [-b address (127.0.0.1)] [-D datadir] [--authorized-keys file]...
 *               [--password-file file] [--allow-tcp-forwarding yes|no|local|remote]
 *               [--allow-stream-local-forwarding yes|no|local|remote]
 *               [--stream-local-bind-mask octal (0177)] [--stream-local-bind-unlink]
 *               [--gateway-ports] [--banner file] [--max-auth-tries n (6)]
 *               [--login-grace-time seconds (120, 0: none)] [--idle-timeout seconds (0: none)]
 *               [--sftp-root dir] [--trusted-user-ca-keys file] [--host-certificate file]... [-v]
 *
 * The sftp subsystem is served in-process (core/sftp/server.ts); --sftp-root jails it in a
 * directory that clients see as '/'. --trusted-user-ca-keys lets in user certificates signed by
 * the CAs in that file (core/server/trusted-ca.ts); --host-certificate presents a certificate
 * of one of the host keys (ssh-keygen -s … -h ssh_host_ed25519_key.pub) before the plain keys.
 *
 * Loopback only and publickey only unless asked. Prints where it listens, the host keys'
 * fingerprints and an ssh command line to paste; SIGINT / SIGTERM end every connection with a
 * DISCONNECT and exit 0.
 */
import { readFile, stat } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { appDataDir } from '../config/app-dirs.js';
import { fingerprintSha256 } from '../crypto/fingerprint.js';
import { ConfigError } from '../errors.js';
import { certifiedHostKey, certifies, loadCertificateFile, openToOthers } from '../keys/index.js';
import type { HostKeyPair } from '../crypto/hostkey/types.js';
import { loadOrCreateHostKeys } from '../server/host-keys.js';
import { Sshd, type AllowTcpForwarding } from '../server/sshd.js';
import { parseArgs, UsageError } from './args.js';

export interface SshdIo {
  out(line: string): void;
  err(line: string): void;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); tests pass their own. */
  stopSignal?: Promise<string>;
  /** Called once listening, with the server (tests). */
  onListening?: (server: Sshd) => void;
}

const KEY_LABEL: Record<string, string> = {
  'ssh-ed25519': 'ED25519',
  'ecdsa-sha2-nistp256': 'ECDSA',
  'ssh-rsa': 'RSA',
};

/** The password file's first line; the file must be private to its owner, like a key. */
async function readPasswordFile(path: string): Promise<string> {
  const st = await stat(path);
  if (openToOthers(st)) {
    throw new ConfigError(
      `${path}: permissions ${(st.mode & 0o777).toString(8).padStart(4, '0')} are too open for a password file (chmod 600)`,
    );
  }
  const first = (await readFile(path, 'utf8')).split(/\r?\n/)[0] ?? '';
  if (first === '') throw new ConfigError(`${path}: the first line (the password) is empty`);
  return first;
}

/** A whole number option ≥ 0 (1 and up for counts); `fallback` when not given. */
function count(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new UsageError(`${name} takes a whole number, not "${value}"`);
  }
  return n;
}

/** AllowStreamLocalForwarding, StreamLocalBindMask and StreamLocalBindUnlink as sshd reads them. */
function streamLocalOptions(
  allow: string | undefined,
  mask: string | undefined,
  unlink: boolean,
): {
  allowStreamLocalForwarding: AllowTcpForwarding;
  streamLocalBindMask?: number;
  streamLocalBindUnlink: boolean;
} {
  const forwarding = allow ?? 'yes';
  if (!['yes', 'no', 'local', 'remote'].includes(forwarding)) {
    throw new UsageError(`--allow-stream-local-forwarding takes yes, no, local or remote`);
  }
  if (mask !== undefined && !/^[0-7]{1,4}$/.test(mask)) {
    throw new UsageError(
      `--stream-local-bind-mask takes an octal mask such as 0177, not "${mask}"`,
    );
  }
  return {
    allowStreamLocalForwarding: forwarding as AllowTcpForwarding,
    ...(mask !== undefined ? { streamLocalBindMask: parseInt(mask, 8) & 0o777 } : {}),
    streamLocalBindUnlink: unlink,
  };
}

/** --sftp-root: an existing directory, made absolute. */
async function sftpRootDir(dir: string | undefined): Promise<string | undefined> {
  if (dir === undefined) return undefined;
  if (dir === '') throw new UsageError('--sftp-root takes a directory');
  const abs = resolve(dir);
  let st;
  try {
    st = await stat(abs);
  } catch {
    throw new ConfigError(`--sftp-root ${abs}: no such directory`);
  }
  if (!st.isDirectory()) throw new ConfigError(`--sftp-root ${abs}: not a directory`);
  return abs;
}

/** --host-certificate files, each presented with the host key it certifies. */
async function hostCertificates(
  paths: readonly string[],
  hostKeys: readonly HostKeyPair[],
): Promise<HostKeyPair[]> {
  const out: HostKeyPair[] = [];
  for (const path of paths) {
    const cert = await loadCertificateFile(path);
    if (cert.certificate?.certType !== 'host') {
      throw new ConfigError(`--host-certificate ${path}: not a host certificate`);
    }
    const pair = hostKeys.find((k) => certifies(cert, k.publicKey.blob));
    if (pair === undefined) {
      throw new ConfigError(`--host-certificate ${path}: it certifies none of the host keys`);
    }
    out.push(certifiedHostKey(pair, cert));
  }
  return out;
}

function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export async function sshdMain(argv: readonly string[], io: SshdIo): Promise<number> {
  const args = parseArgs(argv, {
    withValue: [
      'p',
      'b',
      'D',
      'authorized-keys',
      'password-file',
      'allow-tcp-forwarding',
      'allow-stream-local-forwarding',
      'stream-local-bind-mask',
      'banner',
      'max-auth-tries',
      'login-grace-time',
      'idle-timeout',
      'sftp-root',
      'trusted-user-ca-keys',
      'host-certificate',
    ],
    flags: ['v', 'gateway-ports', 'stream-local-bind-unlink'],
  });
  if (args.positionals.length > 0) {
    throw new UsageError(`sshd takes no arguments (got "${args.positionals[0] ?? ''}")`);
  }
  const port = Number(args.value('p') ?? '2222');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`bad port "${args.value('p') ?? ''}"`);
  }
  const forwarding = args.value('allow-tcp-forwarding') ?? 'yes';
  if (!['yes', 'no', 'local', 'remote'].includes(forwarding)) {
    throw new UsageError(`--allow-tcp-forwarding takes yes, no, local or remote`);
  }
  const address = args.value('b') ?? '127.0.0.1';
  const dataDir = args.value('D') ?? join(appDataDir(), 'sshd');
  const keyFiles = args.all('authorized-keys');
  const authorizedKeysFiles = keyFiles.length
    ? keyFiles
    : [join(homedir(), '.ssh', 'authorized_keys')];
  const passwordFile = args.value('password-file');
  const password = passwordFile !== undefined ? await readPasswordFile(passwordFile) : undefined;
  const verbose = args.has('v');
  const bannerFile = args.value('banner');
  const banner = bannerFile !== undefined ? await readFile(bannerFile, 'utf8') : undefined;
  const maxAuthTries = count(args.value('max-auth-tries'), '--max-auth-tries', 6);
  if (maxAuthTries < 1) throw new UsageError('--max-auth-tries must be at least 1');
  const loginGraceSeconds = count(args.value('login-grace-time'), '--login-grace-time', 120);
  const idleSeconds = count(args.value('idle-timeout'), '--idle-timeout', 0);
  const sftpRoot = await sftpRootDir(args.value('sftp-root'));

  const keys = await loadOrCreateHostKeys(dataDir);
  const certs = await hostCertificates(
    args.all('host-certificate'),
    keys.map((k) => k.key),
  );
  const trustedUserCaKeys = args.value('trusted-user-ca-keys');
  const server = await Sshd.start({
    hostKeys: [...certs, ...keys.map((k) => k.key)],
    ...(trustedUserCaKeys !== undefined ? { trustedUserCaKeys: resolve(trustedUserCaKeys) } : {}),
    address,
    port,
    authorizedKeysFiles,
    ...(password !== undefined ? { password } : {}),
    allowTcpForwarding: forwarding as AllowTcpForwarding,
    gatewayPorts: args.has('gateway-ports'),
    ...streamLocalOptions(
      args.value('allow-stream-local-forwarding'),
      args.value('stream-local-bind-mask'),
      args.has('stream-local-bind-unlink'),
    ),
    ...(banner !== undefined ? { banner } : {}),
    maxAuthTries,
    loginGraceMs: loginGraceSeconds * 1000,
    idleTimeoutMs: idleSeconds * 1000,
    ...(sftpRoot !== undefined ? { sftpRoot } : {}),
    log: (line) => {
      if (verbose) io.err(`sshd: ${line}`);
    },
  });
  const where = server.address;
  const user = userInfo().username;
  const host = where.family === 'IPv6' ? `[${where.address}]` : where.address;
  io.out(`keyway sshd listening on ${where.address} port ${where.port}`);
  io.out(`host keys (${dataDir}):`);
  for (const k of keys) {
    const pk = k.key.publicKey;
    const label = KEY_LABEL[pk.type] ?? pk.type;
    io.out(`  ${pk.bits} ${fingerprintSha256(pk.blob)} (${label})${k.created ? ' new' : ''}`);
  }
  for (const c of certs) {
    const cert = c.publicKey.certificate;
    io.out(
      `  host certificate ${c.publicKey.type} ID "${cert?.keyId ?? ''}" (principals: ${cert?.principals.join(',') ?? ''})`,
    );
  }
  io.out(`authorized keys: ${authorizedKeysFiles.join(', ')}`);
  if (trustedUserCaKeys !== undefined)
    io.out(`trusted user CA keys: ${resolve(trustedUserCaKeys)}`);
  io.out(`password authentication: ${password !== undefined ? 'on' : 'off'}`);
  if (sftpRoot !== undefined) io.out(`sftp root: ${sftpRoot}`);
  io.out(`connect with:  ssh -p ${where.port} ${user}@${host}`);
  io.onListening?.(server);
  const sig = await (io.stopSignal ?? stopSignal());
  if (verbose) io.err(`sshd: ${sig}: closing ${server.connectionCount} connection(s)`);
  await server.close();
  return 0;
}
