/**
 * Where an SFTP server's client paths land on disk, and the optional root jail.
 *
 * Paths are byte strings on the wire (draft-ietf-secsh-filexfer-02 §6) and stay bytes here:
 * inside the server a path is a "byte string", a JS string holding one char per byte
 * (latin1), so node:path's POSIX functions work on it ('/' and '.' are ASCII) and any name,
 * UTF-8 or not, reaches node:fs unchanged as a Buffer (fsPath()).
 *
 * Without a root, as sftp-server(8): relative paths start at home, and the kernel resolves
 * everything ('..', symlinks) itself.
 *
 * With a root, the client sees `root` as '/':
 *   - a client path is normalised lexically against the virtual home; '..' clamps at '/';
 *   - a path the operation follows (open, stat, setstat, opendir, statvfs, realpath) is
 *     resolved with realpath(3), dangling symlinks included, and must stay inside root;
 *   - a path it does not follow (lstat, readlink, remove, rmdir, mkdir, rename, symlink,
 *     hardlink, lsetstat) must have its parent directory resolve inside root;
 *   - a symlink the client creates may not point above root; an absolute target is taken in
 *     the client's view and stored as the real path, readlink maps it back.
 * A path that leaves the root is refused with PERMISSION_DENIED.
 *
 * The limit (TOCTOU): checks and operations are separate system calls. Someone with a shell
 * on this machine who can rename directories inside the root between the check and the use
 * can swap a checked directory for a symlink to outside. The client alone cannot: every path
 * it can create is checked when followed, and files are opened with O_NOFOLLOW on the last
 * component. For isolation against local users too, use sshd's ChrootDirectory.
 */
import { lstat, readlink, realpath } from 'node:fs/promises';
import { posix } from 'node:path';
import { StatusCode } from './constants.js';
import { sftpErrorFromStatus, type SftpError } from './errors.js';

/** One char per byte: how the server carries paths (see the module comment). */
export type BytePath = string;

export function bytePath(b: Uint8Array): BytePath {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}
export function textToBytePath(s: string): BytePath {
  return Buffer.from(s, 'utf8').toString('latin1');
}
export function fsPath(p: BytePath): Buffer {
  return Buffer.from(p, 'latin1');
}

const MAX_SYMLINKS = 32;

function denied(path: BytePath): SftpError {
  return sftpErrorFromStatus(StatusCode.PERMISSION_DENIED, 'Permission denied', {
    path: Buffer.from(path, 'latin1').toString('utf8'),
  });
}

function errnoOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string'
    ? e.code
    : undefined;
}

/** realpath(3) of a byte path; the error is node's (with its errno code). */
async function realBytes(p: BytePath): Promise<BytePath> {
  const r = await realpath(fsPath(p), { encoding: 'buffer' });
  return r.toString('latin1');
}

/**
 * Lexical normalisation of a client path against a virtual directory: '.', '' and repeated
 * slashes drop, '..' takes one component off and stops at '/'. The result is absolute.
 */
export function normalizeVirtual(cwd: BytePath, p: BytePath): BytePath {
  const parts: string[] = [];
  const all = p.startsWith('/') ? p : `${cwd}/${p}`;
  for (const c of all.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') parts.pop();
    else parts.push(c);
  }
  return '/' + parts.join('/');
}

export class PathMap {
  /** The jail's real path (realpath'd), or null without one. */
  readonly root: BytePath | null;
  /** Where relative paths start: real without a jail, virtual with one. */
  readonly home: BytePath;

  private constructor(root: BytePath | null, home: BytePath) {
    this.root = root;
    this.home = home;
  }

  /**
   * Without root: home as given. With root: the root resolved; home, a real path, becomes its
   * place in the jail when it lies inside, and '/' when it does not.
   */
  static async create(home: string, root?: string): Promise<PathMap> {
    const h = textToBytePath(home);
    if (root === undefined) return new PathMap(null, h);
    const r = await realBytes(posix.resolve(textToBytePath(root)));
    let inside = '/';
    try {
      const realHome = await realBytes(posix.resolve(h));
      const v = stripRoot(r, realHome);
      if (v !== null) inside = v;
    } catch {
      // a home that does not exist leaves the client at the root
    }
    return new PathMap(r, inside);
  }

  get jailed(): boolean {
    return this.root !== null;
  }

  /** The real path the operation works on, following the last component. */
  async follow(client: BytePath): Promise<BytePath> {
    if (this.root === null) return this.plain(client);
    return this.followReal(this.toReal(client), 0);
  }

  /** The real path of the last component itself (its parent directory checked). */
  async noFollow(client: BytePath): Promise<BytePath> {
    if (this.root === null) return this.plain(client);
    const v = normalizeVirtual(this.home, client);
    if (v === '/') return this.root;
    const parent = await realBytes(this.root + posix.dirname(v));
    this.check(parent, v);
    return join(parent, posix.basename(v));
  }

  /**
   * REALPATH / expand-path: the canonical absolute path the client should see, symlinks
   * resolved; like OpenSSH's sftp_realpath the last component need not exist.
   */
  async canonical(client: BytePath): Promise<BytePath> {
    const p = client === '' ? '.' : client;
    if (this.root === null) return loose(this.plain(p));
    const v = normalizeVirtual(this.home, p);
    const real = await loose(this.root + (v === '/' ? '' : v));
    const back = stripRoot(this.root, real);
    if (back === null) throw denied(client);
    return back;
  }

  /** A real path shown to the client (a handle's name, a home): virtual inside the jail. */
  toClient(real: BytePath): BytePath | null {
    return this.root === null ? real : stripRoot(this.root, real);
  }

  /**
   * The target to store for a symlink the client creates at `link` (its real path). Jailed:
   * absolute targets are the client's view and become real; a target above root is refused.
   */
  symlinkTarget(target: BytePath, linkClient: BytePath): BytePath {
    if (this.root === null) return target;
    const v = normalizeVirtual(this.home, linkClient);
    if (target.startsWith('/')) {
      const t = normalizeVirtual('/', target);
      return t === '/' ? this.root : this.root + t;
    }
    // Lexically: does following it from the link's directory climb above '/'?
    let depth = posix
      .dirname(v)
      .split('/')
      .filter((c) => c !== '').length;
    for (const c of target.split('/')) {
      if (c === '' || c === '.') continue;
      depth += c === '..' ? -1 : 1;
      if (depth < 0) throw denied(target);
    }
    return target;
  }

  /** What readlink shows: an absolute target inside the jail in the client's view. */
  linkTargetToClient(target: BytePath): BytePath {
    if (this.root === null || !target.startsWith('/')) return target;
    return stripRoot(this.root, target) ?? target;
  }

  private plain(client: BytePath): BytePath {
    if (client.startsWith('/')) return client;
    return client === '' ? this.home : `${this.home}/${client}`;
  }

  private toReal(client: BytePath): BytePath {
    const v = normalizeVirtual(this.home, client);
    return v === '/' ? (this.root as BytePath) : (this.root as BytePath) + v;
  }

  private check(real: BytePath, shown: BytePath): void {
    if (this.root !== null && stripRoot(this.root, real) === null) throw denied(shown);
  }

  /** realpath, but a missing last component (or a dangling symlink) is resolved by hand. */
  private async followReal(p: BytePath, depth: number): Promise<BytePath> {
    try {
      const r = await realBytes(p);
      this.check(r, p);
      return r;
    } catch (e) {
      if (errnoOf(e) !== 'ENOENT') throw e;
    }
    const parent = await realBytes(posix.dirname(p));
    this.check(parent, p);
    const full = join(parent, posix.basename(p));
    let isLink: boolean;
    try {
      isLink = (await lstat(fsPath(full))).isSymbolicLink();
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') return full;
      throw e;
    }
    if (!isLink) return full;
    if (depth >= MAX_SYMLINKS) {
      throw Object.assign(new Error('too many levels of symbolic links'), { code: 'ELOOP' });
    }
    const target = (await readlink(fsPath(full), { encoding: 'buffer' })).toString('latin1');
    return this.followReal(target.startsWith('/') ? target : join(parent, target), depth + 1);
  }
}

function join(dir: BytePath, name: BytePath): BytePath {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** The path inside `root`, or null when `real` is not root or below it. */
function stripRoot(root: BytePath, real: BytePath): BytePath | null {
  if (real === root) return '/';
  if (root === '/') return real.startsWith('/') ? real : null;
  return real.startsWith(root + '/') ? real.slice(root.length) : null;
}

/** realpath where only the last component may be missing (OpenSSH's sftp_realpath). */
async function loose(p: BytePath): Promise<BytePath> {
  try {
    return await realBytes(p);
  } catch (e) {
    if (errnoOf(e) !== 'ENOENT') throw e;
    const base = posix.basename(p);
    if (base === '' || base === '.' || base === '..') throw e;
    return join(await realBytes(posix.dirname(p)), base);
  }
}

export { errnoOf };
