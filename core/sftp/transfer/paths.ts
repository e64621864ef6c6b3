/**
 * Path helpers for transfers. Remote paths are POSIX (SFTP v3 uses '/' whatever the server's
 * OS); local paths are the platform's (node:path). A name read from a remote directory is a
 * single component chosen by the peer: one that is empty, '.', '..', or holds a '/', a NUL or
 * (locally) a '\\' on Windows would escape the target tree and is refused.
 */
import { sep } from 'node:path';

/** `dir` + '/' + `name` for a remote path. */
export function remoteJoin(dir: string, name: string): string {
  if (dir === '') return name;
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

/** The last component of a path ('' for '/', '.' or '..'-ending paths that name no entry). */
export function lastComponent(path: string, separators: RegExp = /\/+/): string {
  const parts = path.split(separators).filter((p) => p !== '');
  const last = parts[parts.length - 1] ?? '';
  return last === '.' || last === '..' ? '' : last;
}

export function remoteBasename(path: string): string {
  return lastComponent(path, /\/+/);
}

export function localBasename(path: string): string {
  return lastComponent(path, sep === '/' ? /\/+/ : /[\\/]+/);
}

/** Why a directory entry name from the peer is unusable, or null when it is a plain name. */
export function badEntryName(name: string): string | null {
  if (name === '' || name === '.' || name === '..') return `refusing entry name '${name}'`;
  if (name.includes('/') || name.includes('\0') || (sep === '\\' && name.includes('\\'))) {
    return `refusing entry name '${name}': it is not a single path component`;
  }
  return null;
}
