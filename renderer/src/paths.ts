/**
 * Path arithmetic for the file panes: remote paths are POSIX (SFTP); local paths are the
 * service host's, POSIX or Windows (a drive letter or a backslash says which).
 */
function sepOf(path: string): '/' | '\\' {
  return /^[A-Za-z]:\\/.test(path) || (path.includes('\\') && !path.startsWith('/')) ? '\\' : '/';
}

export function joinPath(dir: string, name: string): string {
  const sep = sepOf(dir);
  return dir.endsWith(sep) ? `${dir}${name}` : `${dir}${sep}${name}`;
}

export function parentPath(path: string): string {
  const sep = sepOf(path);
  const trimmed = path.length > 1 && path.endsWith(sep) ? path.slice(0, -1) : path;
  const i = trimmed.lastIndexOf(sep);
  if (i < 0) return trimmed;
  if (i === 0) return sep;
  const parent = trimmed.slice(0, i);
  return /^[A-Za-z]:$/.test(parent) ? `${parent}\\` : parent;
}

/** Breadcrumbs: each ancestor of `path` with the name shown for it, root first. */
export function crumbs(path: string): { name: string; path: string }[] {
  const sep = sepOf(path);
  const parts = path.split(sep).filter((p) => p !== '');
  const out: { name: string; path: string }[] = [];
  let acc = '';
  if (path.startsWith('/')) out.push({ name: '/', path: '/' });
  for (const part of parts) {
    acc = acc === '' && !path.startsWith('/') ? `${part}${sep}` : joinPath(acc || sep, part);
    out.push({ name: part, path: acc });
  }
  return out;
}

export function formatSize(n: number | null): string {
  if (n === null) return '';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** rwxr-xr-x from permission bits. */
export function formatMode(mode: number | null): string {
  if (mode === null) return '';
  const bits = 'rwxrwxrwx';
  let s = '';
  for (let i = 0; i < 9; i++) s += mode & (1 << (8 - i)) ? bits[i] : '-';
  return s;
}
