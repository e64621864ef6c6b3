/**
 * The local filesystem as transfers use it: the few node:fs/promises calls they make, behind
 * an interface so tests can inject failures (ENOSPC on a write, EACCES on an open) and an app
 * can substitute its own. `nodeLocalFs` is the real one.
 */
import { readFileSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import type { ByteParts } from '../../wire/byte-parts.js';

export interface LocalStats {
  readonly size: number;
  /** st_mode: type and permission bits. */
  readonly mode: number;
  readonly dev: number;
  readonly ino: number;
  readonly atimeMs: number;
  readonly mtimeMs: number;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

/** An open local file; reads and writes are positional. */
export interface LocalFileHandle {
  read(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number }>;
  write(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesWritten: number }>;
  /** One positional write of the buffers in order (pwritev); it may write fewer bytes. */
  writev(buffers: ByteParts, position: number): Promise<{ bytesWritten: number }>;
  stat(): Promise<LocalStats>;
  truncate(length: number): Promise<void>;
  chmod(mode: number): Promise<void>;
  /** Times in seconds since the epoch. */
  utimes(atime: number, mtime: number): Promise<void>;
  close(): Promise<void>;
}

export interface LocalFs {
  /** `flags` as node:fs takes them ('r', 'w', 'r+', or O_* bits). */
  open(path: string, flags: string | number, mode?: number): Promise<LocalFileHandle>;
  stat(path: string): Promise<LocalStats>;
  lstat(path: string): Promise<LocalStats>;
  readdir(path: string): Promise<string[]>;
  mkdir(path: string, mode: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  copyFile(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  readlink(path: string): Promise<string>;
  chmod(path: string, mode: number): Promise<void>;
  /** Times in seconds since the epoch. */
  utimes(path: string, atime: number, mtime: number): Promise<void>;
  /** The process umask (applied to new files' modes when not preserving). */
  umask(): number;
}

/** The real local filesystem (node:fs/promises). */
export const nodeLocalFs: LocalFs = {
  open: (path, flags, mode) => fsp.open(path, flags, mode),
  stat: (path) => fsp.stat(path),
  lstat: (path) => fsp.lstat(path),
  readdir: (path) => fsp.readdir(path),
  mkdir: async (path, mode) => {
    await fsp.mkdir(path, { mode });
  },
  rename: (from, to) => fsp.rename(from, to),
  copyFile: (from, to) => fsp.copyFile(from, to),
  unlink: (path) => fsp.unlink(path),
  symlink: (target, path) => fsp.symlink(target, path),
  readlink: (path) => fsp.readlink(path),
  chmod: (path, mode) => fsp.chmod(path, mode),
  utimes: (path, atime, mtime) => fsp.utimes(path, atime, mtime),
  umask: processUmask,
};

/**
 * The process umask. Linux shows it in /proc/self/status; process.umask() is the fallback,
 * because reading it that way sets the umask to 0 for a moment, and a file another thread
 * creates in that moment gets no umask at all.
 */
function processUmask(): number {
  try {
    const m = /^Umask:\s*([0-7]+)$/m.exec(readFileSync('/proc/self/status', 'latin1'));
    if (m?.[1] !== undefined) return parseInt(m[1], 8);
  } catch {
    // not Linux, or no /proc
  }
  try {
    return process.umask();
  } catch {
    return 0o022; // worker threads cannot read it
  }
}

/** The errno code of a Node error ('ENOENT', …), or undefined. */
export function errnoCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null || !('code' in e)) return undefined;
  const code = (e as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** lstat/stat that resolves null where the path does not exist. */
export async function statOrNull(
  fs: LocalFs,
  path: string,
  follow: boolean,
): Promise<LocalStats | null> {
  try {
    return await (follow ? fs.stat(path) : fs.lstat(path));
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw e;
  }
}
