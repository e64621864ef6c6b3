/**
 * The local pane's file operations (node:fs): list, stat (lstat: a symlink shows as one),
 * mkdir, rename, delete (a tree with `recursive`; symlinks removed, never followed), chmod,
 * and the home directory. Paths must be absolute: the service has no meaningful working
 * directory for the UI. Failures are LocalFileError with Node's errno code in details.
 */
import * as fsp from 'node:fs/promises';
import { basename, isAbsolute, join } from 'node:path';
import type { DirectoryListing, FileEntry } from '../api/contract.js';
import { InvalidArgumentError, LocalFileError } from '../errors.js';
import { localEntry, sortEntries } from './entries.js';

function absolute(p: string): string {
  if (!isAbsolute(p))
    throw new InvalidArgumentError(`local path ${JSON.stringify(p)} is not absolute`, { path: p });
  return p;
}

async function wrap<T>(what: string, path: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    const errno = (e as NodeJS.ErrnoException).code ?? 'EIO';
    throw new LocalFileError(`${what} ${path}: ${(e as Error).message}`, { path, errno });
  }
}

export class LocalFiles {
  constructor(private readonly homeDir: string) {}

  home(): string {
    return this.homeDir;
  }

  list(path: string): Promise<DirectoryListing> {
    const dir = absolute(path);
    return wrap('list', dir, async () => {
      const names = await fsp.readdir(dir);
      const entries: FileEntry[] = [];
      for (const name of names) {
        try {
          entries.push(localEntry(name, join(dir, name), await fsp.lstat(join(dir, name))));
        } catch {
          // removed between readdir and lstat: not listed
        }
      }
      return { path: dir, entries: sortEntries(entries) };
    });
  }

  stat(path: string): Promise<FileEntry> {
    const p = absolute(path);
    return wrap('stat', p, async () => localEntry(basename(p), p, await fsp.lstat(p)));
  }

  mkdir(path: string): Promise<void> {
    const p = absolute(path);
    return wrap('mkdir', p, () => fsp.mkdir(p));
  }

  rename(from: string, to: string): Promise<void> {
    const a = absolute(from);
    const b = absolute(to);
    return wrap('rename', a, () => fsp.rename(a, b));
  }

  delete(path: string, recursive: boolean): Promise<void> {
    const p = absolute(path);
    return wrap('delete', p, async () => {
      const st = await fsp.lstat(p);
      if (!st.isDirectory()) return fsp.unlink(p);
      return recursive ? fsp.rm(p, { recursive: true }) : fsp.rmdir(p);
    });
  }

  chmod(path: string, mode: number): Promise<void> {
    const p = absolute(path);
    return wrap('chmod', p, () => fsp.chmod(p, mode & 0o7777));
  }
}
