// Where a server's files live and how its tools are run, per flavor. Bookworm: the host's
// binaries, a temp dir under os.tmpdir(). Trixie: the root made by scripts/trixie-root.sh, a
// temp dir under <root>/var/lib/keyway, and every tool run as `chroot <root> <tool>` with in-root paths.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Flavor } from './types.js';

/** Written by scripts/trixie-root.sh when the root is complete. */
const MARKER = '.keyway-root';
/** PATH for tools inside the chroot; the host's PATH may name dirs the root lacks. */
const CHROOT_ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C',
};

export function trixieRootPath(): string {
  const root = process.env['KEYWAY_TRIXIE_ROOT'] ?? '/var/cache/keyway/trixie-root';
  if (!existsSync(join(root, MARKER))) {
    throw new Error(
      `the Debian trixie root is missing at ${root} (no ${MARKER}): run scripts/trixie-root.sh ` +
        '(as root; set KEYWAY_TRIXIE_ROOT to use another place)',
    );
  }
  return root;
}

/** A command ready for spawn/execFile: the chroot wrapper applied for trixie. */
export interface Command {
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

export function command(flavor: Flavor, file: string, args: string[]): Command {
  if (flavor === 'bookworm') return { file, args, env: { ...process.env, LANG: 'C' } };
  return { file: 'chroot', args: [trixieRootPath(), file, ...args], env: CHROOT_ENV };
}

export interface ToolResult {
  stdout: string;
  stderr: string;
}

/** Runs a tool of the flavor to completion; rejects with its output on failure. */
export function runTool(flavor: Flavor, file: string, args: string[]): Promise<ToolResult> {
  const c = command(flavor, file, args);
  return new Promise((resolve, reject) => {
    execFile(c.file, c.args, { env: c.env, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) {
        const shown = [c.file, ...c.args].join(' ');
        reject(new Error(`${shown} failed: ${err.message}\n${stderr}${stdout}`.trimEnd()));
      } else resolve({ stdout, stderr });
    });
  });
}

/** A server's private temp dir, seen from the host and from the server. */
export interface Workdir {
  /** Path on the host, for reading and writing files. */
  hostPath: string;
  /** The same directory as the server sees it (inside the chroot for trixie). */
  serverPath: string;
  /** `name` inside the dir, as the server sees it. */
  server(name: string): string;
  /** `name` inside the dir, as the host sees it. */
  host(name: string): string;
  /** A host path inside the dir, as the server sees it. */
  toServer(hostFile: string): string;
  remove(): Promise<void>;
}

export async function makeWorkdir(flavor: Flavor, kind: string): Promise<Workdir> {
  const root = flavor === 'trixie' ? trixieRootPath() : '';
  // Not the root's /tmp: dropbear (-D) refuses an authorized_keys dir below a dir that others
  // can write, and /tmp is 1777. Every dir from the root down to ours is root's and 0755/0700.
  const base = flavor === 'trixie' ? join(root, 'var', 'lib', 'keyway') : tmpdir();
  if (flavor === 'trixie') mkdirSync(base, { recursive: true, mode: 0o755 });
  const hostPath = await mkdtemp(join(base, `keyway-${kind}-`));
  const serverPath = flavor === 'trixie' ? hostPath.slice(root.length) : hostPath;
  return {
    hostPath,
    serverPath,
    server: (name) => `${serverPath}/${name}`,
    host: (name) => join(hostPath, name),
    toServer: (hostFile) => {
      if (!hostFile.startsWith(`${hostPath}/`))
        throw new Error(`${hostFile} is not in ${hostPath}`);
      return `${serverPath}${hostFile.slice(hostPath.length)}`;
    },
    remove: () => rm(hostPath, { recursive: true, force: true }),
  };
}

/** sshd's privilege-separation directory must exist (as /run/sshd inside the root for trixie). */
export function ensurePrivsepDir(flavor: Flavor): void {
  const dir = flavor === 'trixie' ? join(trixieRootPath(), 'run', 'sshd') : '/run/sshd';
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o755 });
}
