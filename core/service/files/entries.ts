/**
 * One shape for a file in either pane (api/contract.ts FileEntry): from SFTP attributes
 * (draft-ietf-secsh-filexfer-02 §5: permissions carry the st_mode type bits) or from a local
 * lstat. Listings are sorted by name (code-point order) without '.' and '..'.
 */
import type { Stats } from 'node:fs';
import { FileType } from '../../sftp/index.js';
import type { FileAttributes } from '../../sftp/index.js';
import type { FileEntry, FileKind } from '../api/contract.js';

const TYPE_MASK = 0o170000;

function kindOfMode(mode: number | undefined): FileKind {
  if (mode === undefined) return 'other';
  const t = mode & TYPE_MASK;
  if (t === FileType.REGULAR) return 'file';
  if (t === FileType.DIRECTORY) return 'directory';
  if (t === FileType.SYMLINK) return 'symlink';
  return 'other';
}

export function remoteEntry(name: string, path: string, a: FileAttributes): FileEntry {
  return {
    name,
    path,
    kind: kindOfMode(a.permissions),
    size: a.size ?? null,
    mtime: a.mtime ?? null,
    mode: a.permissions === undefined ? null : a.permissions & 0o7777,
  };
}

export function localEntry(name: string, path: string, st: Stats): FileEntry {
  return {
    name,
    path,
    kind: st.isFile()
      ? 'file'
      : st.isDirectory()
        ? 'directory'
        : st.isSymbolicLink()
          ? 'symlink'
          : 'other',
    size: st.size,
    mtime: Math.floor(st.mtimeMs / 1000),
    mode: st.mode & 0o7777,
  };
}

export function sortEntries(entries: FileEntry[]): FileEntry[] {
  return entries
    .filter((e) => e.name !== '.' && e.name !== '..')
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
