/**
 * Runs Debian's `ssh -G` and Keyway's resolver side by side for ssh_config parity tests: a
 * temporary home whose passwd entry (through nss_wrapper, which OpenSSH needs because it
 * takes ~ from passwd, not $HOME) and $HOME agree, holding the fixtures under ~/.ssh.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { parseSshArgs } from '../../core/cli/ssh-args.js';
import { resolveDestination } from '../../core/config/ssh-config-host.js';
import type { LocalContext } from '../../core/config/ssh-config-match.js';
import { tempDir, type TempDir } from './temp-dir.js';

export const NSS_WRAPPER = '/usr/lib/x86_64-linux-gnu/libnss_wrapper.so';
export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'ssh_config');

export interface ParityHome {
  readonly tmp: TempDir;
  readonly home: string;
  readonly env: Record<string, string>;
  readonly local: LocalContext;
  cleanup(): void;
}

function tighten(dir: string): void {
  chmodSync(dir, 0o700);
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) tighten(p);
    else chmodSync(p, 0o600);
  }
}

export function parityHome(): ParityHome {
  if (!existsSync(NSS_WRAPPER))
    throw new Error(`${NSS_WRAPPER} missing: scripts/system-deps.sh installs libnss-wrapper`);
  const tmp = tempDir('sshcfg');
  const home = tmp.path('home');
  mkdirSync(join(home, '.ssh'), { recursive: true });
  cpSync(FIXTURES, join(home, '.ssh'), { recursive: true });
  tighten(join(home, '.ssh'));
  const u = userInfo();
  writeFileSync(tmp.path('passwd'), `${u.username}:x:${u.uid}:${u.gid}:test:${home}:/bin/sh\n`);
  writeFileSync(tmp.path('group'), `g:x:${u.gid}:\n`);
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: home,
    SHELL: '/bin/sh',
    LD_PRELOAD: NSS_WRAPPER,
    NSS_WRAPPER_PASSWD: tmp.path('passwd'),
    NSS_WRAPPER_GROUP: tmp.path('group'),
    KEYWAY_FIXTURE_DIR: tmp.dir,
  };
  const local: LocalContext = {
    userName: u.username,
    uid: u.uid,
    home,
    localHost: hostname(),
    env: { PATH: env['PATH'], HOME: home, SHELL: '/bin/sh', KEYWAY_FIXTURE_DIR: tmp.dir },
  };
  return { tmp, home, env, local, cleanup: () => tmp.cleanup() };
}

/** `ssh -G` lines, or an error marker when ssh refuses the configuration. */
export function opensshDump(h: ParityHome, argv: readonly string[]): string[] | { error: string } {
  const r = spawnSync('/usr/bin/ssh', ['-G', ...argv], { env: h.env, encoding: 'utf8' });
  if (r.status !== 0) return { error: r.stderr };
  return r.stdout.split('\n').filter((l) => l !== '');
}

export async function keywayDump(
  h: ParityHome,
  argv: readonly string[],
): Promise<string[] | { error: string }> {
  try {
    const a = parseSshArgs(argv);
    const r = await resolveDestination(
      a.options,
      a.destination,
      a.configFile,
      h.local,
      a.command.length > 0,
    );
    return r.dump;
  } catch (e) {
    return { error: (e as Error).message };
  }
}
