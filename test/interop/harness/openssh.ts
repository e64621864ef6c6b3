// OpenSSH sshd for interop tests: a config of our own in a temp dir (sshd_config(5)), host keys
// made for the run, `sshd -D -e` in the foreground on 127.0.0.1, chroot'd for trixie; and the
// algorithm lists a flavor's OpenSSH knows (`ssh -Q`).
import { chmod, writeFile } from 'node:fs/promises';
import { makeOpenSshHostKeys, ALL_HOST_KEY_TYPES } from './hostkeys.js';
import { launch, withFreePort } from './process.js';
import { command, ensurePrivsepDir, makeWorkdir, runTool } from './roots.js';
import type { Workdir } from './roots.js';
import type { AlgorithmLists, Flavor, HostKeyInfo, RunningServer, ServerOptions } from './types.js';

const SSHD = '/usr/sbin/sshd';

function sshdConfig(port: number, wd: Workdir, keys: HostKeyInfo[], o: ServerOptions): string {
  const extra = o.extraConfig ?? [];
  if (extra.some((l) => /^\s*match\s/i.test(l))) {
    throw new Error('extraConfig: Match blocks are not supported (lines go before ours)');
  }
  const lines = [
    '# written by test/interop/harness/openssh.ts',
    ...extra,
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    'AddressFamily inet',
    ...keys.map((k) => `HostKey ${wd.toServer(k.path)}`),
    'PidFile none',
    'UsePAM no',
    'StrictModes no',
    'LogLevel DEBUG1',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    `AuthorizedKeysFile ${wd.server('authorized_keys')}`,
  ];
  // OpenSSH >= 9.8 penalises (refuses for a while) a source whose connections end before
  // authentication, which is what handshake tests do hundreds of times a second.
  if (
    (o.flavor ?? 'bookworm') === 'trixie' &&
    !extra.some((l) => /^\s*persourcepenalties\s/i.test(l))
  ) {
    lines.push('PerSourcePenalties no');
  }
  if (o.kex) lines.push(`KexAlgorithms ${o.kex.join(',')}`);
  if (o.ciphers) lines.push(`Ciphers ${o.ciphers.join(',')}`);
  if (o.macs) lines.push(`MACs ${o.macs.join(',')}`);
  if (o.hostKeyAlgorithms) lines.push(`HostKeyAlgorithms ${o.hostKeyAlgorithms.join(',')}`);
  if (o.rekeyLimit !== undefined) lines.push(`RekeyLimit ${o.rekeyLimit}`);
  // sshd refuses a second Subsystem of the same name.
  if (!extra.some((l) => /^\s*subsystem\s+sftp\s/i.test(l))) {
    lines.push('Subsystem sftp /usr/lib/openssh/sftp-server');
  }
  return lines.join('\n') + '\n';
}

export async function startOpenSsh(opts: ServerOptions = {}): Promise<RunningServer> {
  const flavor = opts.flavor ?? 'bookworm';
  ensurePrivsepDir(flavor);
  const wd = await makeWorkdir(flavor, 'sshd');
  try {
    const hostKeys = await makeOpenSshHostKeys(flavor, wd, opts.hostKeyTypes ?? ALL_HOST_KEY_TYPES);
    const authorized = (opts.authorizedKeys ?? []).map((l) => `${l}\n`).join('');
    // sshd reads authorized_keys as the user logging in, who may not be root (keyway-test):
    // the work dir and the file must be readable to them (the host keys stay 0600).
    await writeFile(wd.host('authorized_keys'), authorized, { mode: 0o644 });
    await chmod(wd.hostPath, 0o755);
    const cfg = wd.server('sshd_config');
    const launched = await withFreePort(async (port) => {
      const text = sshdConfig(port, wd, hostKeys, opts);
      await writeFile(wd.host('sshd_config'), text, { mode: 0o600 });
      try {
        await runTool(flavor, SSHD, ['-t', '-f', cfg]);
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        throw new Error(`sshd rejects the config:\n${why}\n--- sshd_config:\n${text}`, {
          cause: e,
        });
      }
      const cmd = command(flavor, SSHD, ['-D', '-e', '-f', cfg]);
      return launch(cmd, port, `sshd (${flavor})`, wd.hostPath).then((l) => ({ ...l, port }));
    });
    return {
      kind: 'openssh',
      flavor,
      host: '127.0.0.1',
      port: launched.port,
      pid: launched.pid,
      version: launched.version,
      hostKeys,
      log: launched.log,
      stop: async () => {
        await launched.stop();
        await wd.remove();
      },
    };
  } catch (e) {
    await wd.remove();
    throw e;
  }
}

const algorithmCache = new Map<Flavor, Promise<AlgorithmLists>>();

/** Everything the flavor's OpenSSH implements, from `ssh -Q` (unfiltered, in its order). */
export function serverAlgorithms(kind: 'openssh', flavor: Flavor): Promise<AlgorithmLists> {
  if (kind !== 'openssh') throw new Error(`serverAlgorithms: unsupported kind ${String(kind)}`);
  let cached = algorithmCache.get(flavor);
  if (!cached) {
    const q = async (what: string): Promise<string[]> => {
      const { stdout } = await runTool(flavor, '/usr/bin/ssh', ['-Q', what]);
      return stdout.split('\n').filter((l) => l.length > 0);
    };
    cached = Promise.all([q('kex'), q('cipher'), q('mac'), q('HostKeyAlgorithms')]).then(
      ([kex, ciphers, macs, hostKeyAlgorithms]) => ({ kex, ciphers, macs, hostKeyAlgorithms }),
    );
    cached.catch(() => algorithmCache.delete(flavor));
    algorithmCache.set(flavor, cached);
  }
  return cached;
}
