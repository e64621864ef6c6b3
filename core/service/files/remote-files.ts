/**
 * The remote pane's file operations over the connection's browsing SFTP channel
 * (draft-ietf-secsh-filexfer-02; OpenSSH's posix-rename@openssh.com when the server has it,
 * so a rename replaces the target as rename(2) does): list, stat, mkdir, rename, delete
 * (a directory tree with `recursive`, at most MAX_DIR_DEPTH deep, symlinks removed and never
 * followed), chmod (permission bits only), and the home directory. Server errors reach the
 * UI as SftpError with their status code.
 */
import { MAX_DIR_DEPTH, type SftpClient } from '../../sftp/index.js';
import { Extension, isDirectory, SftpFailureError } from '../../sftp/index.js';
import type { DirectoryListing, FileEntry } from '../api/contract.js';
import { remoteEntry, sortEntries } from './entries.js';

function join(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

function basename(p: string): string {
  const trimmed = p.length > 1 ? p.replace(/\/+$/, '') : p;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1) || trimmed;
}

export class RemoteFiles {
  constructor(private readonly sftp: () => Promise<SftpClient>) {}

  async home(): Promise<string> {
    return (await this.sftp()).realpath('.');
  }

  async list(path: string): Promise<DirectoryListing> {
    const s = await this.sftp();
    const names = await s.list(path);
    return {
      path,
      entries: sortEntries(
        names.map((n) => remoteEntry(n.filename, join(path, n.filename), n.attrs)),
      ),
    };
  }

  async stat(path: string): Promise<FileEntry> {
    return remoteEntry(basename(path), path, await (await this.sftp()).lstat(path));
  }

  async mkdir(path: string): Promise<void> {
    await (await this.sftp()).mkdir(path);
  }

  async rename(from: string, to: string): Promise<void> {
    const s = await this.sftp();
    if (s.hasExtension(Extension.POSIX_RENAME)) await s.posixRename(from, to);
    else await s.rename(from, to);
  }

  async chmod(path: string, mode: number): Promise<void> {
    await (await this.sftp()).setstat(path, { permissions: mode & 0o7777 });
  }

  async delete(path: string, recursive: boolean): Promise<void> {
    const s = await this.sftp();
    const a = await s.lstat(path);
    if (!isDirectory(a)) return s.remove(path);
    if (recursive) await this.emptyTree(s, path, 0);
    await s.rmdir(path);
  }

  private async emptyTree(s: SftpClient, dir: string, depth: number): Promise<void> {
    if (depth >= MAX_DIR_DEPTH)
      throw new SftpFailureError(4, `${dir}: deeper than ${MAX_DIR_DEPTH} levels`, '');
    for (const n of await s.list(dir)) {
      if (n.filename === '.' || n.filename === '..') continue;
      const p = join(dir, n.filename);
      if (isDirectory(n.attrs)) {
        await this.emptyTree(s, p, depth + 1);
        await s.rmdir(p);
      } else {
        await s.remove(p);
      }
    }
  }
}
