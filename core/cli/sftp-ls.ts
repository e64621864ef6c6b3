/**
 * `ls` in `keyway sftp`, as OpenSSH's sftp.c do_ls_dir / do_globbed_ls: a directory's entries
 * (dot files only with -a), a glob's matches, or one file; sorted by name (default), time
 * (-t) or size (-S), reversed with -r, unsorted with -f; short names in columns or one per
 * line (-1), or with -l the server's own `ls -l` line (longname) for each.
 */
import type { FileAttributes } from '../sftp/attrs.js';
import { isDirectory } from '../sftp/attrs.js';
import type { DirEntry } from '../sftp/client.js';
import type { LsFlags, Word } from './sftp-command.js';
import { fail, type ShellContext } from './sftp-context.js';
import { columns } from './sftp-format.js';
import { baseName, escapeGlob, makeAbsolute, pathAppend, remoteGlob } from './sftp-glob.js';

interface Row {
  /** The name as shown (path relative to what was asked). */
  readonly name: string;
  /** The bare file name, for the hidden-file rule and the longname. */
  readonly filename: string;
  readonly attrs: FileAttributes;
  readonly longname?: string;
}

function compare(flags: LsFlags): ((a: Row, b: Row) => number) | null {
  const r = flags.reverse ? -1 : 1;
  const num = (x: number | undefined, y: number | undefined): number =>
    (x ?? 0) === (y ?? 0) ? 0 : (x ?? 0) < (y ?? 0) ? 1 : -1; // larger / newer first
  if (flags.sort === 'name') return (a, b) => r * (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  if (flags.sort === 'time') return (a, b) => r * num(a.attrs.mtime, b.attrs.mtime);
  if (flags.sort === 'size') return (a, b) => r * num(a.attrs.size, b.attrs.size);
  return null;
}

/** The server's longname with its trailing file name replaced by the name as shown. */
function longLine(row: Row): string {
  const l = row.longname;
  if (l === undefined || l === '') return row.name;
  return l.endsWith(row.filename) ? l.slice(0, l.length - row.filename.length) + row.name : l;
}

function print(ctx: ShellContext, rows: Row[], flags: LsFlags): void {
  const cmp = compare(flags);
  if (cmp) rows.sort(cmp);
  if (flags.long) {
    for (const row of rows) ctx.io.out(longLine(row));
  } else if (flags.single) {
    for (const row of rows) ctx.io.out(row.name);
  } else {
    for (const line of columns(
      rows.map((r) => r.name),
      ctx.io.columns,
    )) {
      ctx.io.out(line);
    }
  }
}

/** Strips `strip` (a directory) from the front of `path`, as sftp's path_strip. */
function stripPath(path: string, strip: string | null): string {
  if (strip === null || strip === '' || !path.startsWith(strip)) return path;
  let rest = path.slice(strip.length);
  if (!strip.endsWith('/') && rest.startsWith('/')) rest = rest.slice(1);
  return rest;
}

async function listDir(
  ctx: ShellContext,
  dir: string,
  strip: string | null,
  flags: LsFlags,
): Promise<boolean> {
  let entries: DirEntry[];
  try {
    entries = await ctx.client.list(dir);
  } catch (e) {
    return fail(ctx, `Couldn't read directory: ${describe(e)}`);
  }
  const rows = entries
    .filter((e) => flags.all || !e.filename.startsWith('.'))
    .map((e) => ({
      name: stripPath(pathAppend(dir, e.filename), strip),
      filename: e.filename,
      attrs: e.attrs,
      longname: e.longname,
    }));
  print(ctx, rows, flags);
  return true;
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The longname of one path, from its parent's listing (cached per parent). */
async function longnameOf(
  ctx: ShellContext,
  path: string,
  cache: Map<string, Map<string, DirEntry>>,
): Promise<DirEntry | undefined> {
  const parent = path.slice(0, path.lastIndexOf('/')) || '/';
  let byName = cache.get(parent);
  if (byName === undefined) {
    byName = new Map();
    try {
      for (const e of await ctx.client.list(parent)) byName.set(e.filename, e);
    } catch {
      // unreadable parent: the line falls back to the name
    }
    cache.set(parent, byName);
  }
  return byName.get(baseName(path));
}

export async function ls(ctx: ShellContext, flags: LsFlags, path?: Word): Promise<boolean> {
  if (path === undefined) return listDir(ctx, ctx.cwd, ctx.cwd, flags);
  const strip = path.text.startsWith('/') ? null : ctx.cwd;
  const pattern = makeAbsolute(path.glob, escapeGlob(ctx.cwd));
  const matches = await remoteGlob(ctx.client, pattern);
  const shown = makeAbsolute(path.text, ctx.cwd);
  if (matches.length === 0) return fail(ctx, `Can't ls: "${shown}" not found`);
  // a single match that is a directory: list what is in it
  const first = matches[0];
  if (matches.length === 1 && first !== undefined) {
    let attrs: FileAttributes;
    try {
      attrs = await ctx.client.stat(first.path);
    } catch {
      return fail(ctx, `Can't ls: "${shown}" not found`);
    }
    if (isDirectory(attrs)) return listDir(ctx, first.path, strip, flags);
  }
  const cache = new Map<string, Map<string, DirEntry>>();
  const rows: Row[] = [];
  for (const m of matches) {
    const entry = flags.long ? await longnameOf(ctx, m.path, cache) : undefined;
    rows.push({
      name: stripPath(m.path, strip),
      filename: baseName(m.path),
      attrs: m.attrs ?? entry?.attrs ?? {},
      ...(entry !== undefined ? { longname: entry.longname } : {}),
    });
  }
  print(ctx, rows, flags);
  return true;
}
