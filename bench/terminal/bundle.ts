/**
 * The renderer bundle's size: every file the browser loads from dist/ui (the Vite build of
 * renderer/), raw and gzip-compressed (zlib's default level, as a web server would send it).
 * Source maps are left out: the page never loads them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface BundleFile {
  /** Path under dist/ui, e.g. assets/index-1a2b3c.js. */
  readonly file: string;
  readonly raw: number;
  readonly gzip: number;
}

export class BundleMissingError extends Error {
  constructor(dir: string) {
    super(`no renderer bundle in ${dir}: build it first (npm run build)`);
    this.name = 'BundleMissingError';
  }
}

/** The files of the bundle in `dir`, largest first. */
export function bundleSizes(dir: string): BundleFile[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true, recursive: true });
  } catch {
    throw new BundleMissingError(dir);
  }
  const files = entries
    .filter((e) => e.isFile() && !e.name.endsWith('.map'))
    .map((e) => join(e.parentPath, e.name))
    .map((p) => {
      const data = readFileSync(p);
      return { file: relative(dir, p), raw: data.length, gzip: gzipSync(data).length };
    })
    .sort((a, b) => b.raw - a.raw);
  if (!files.some((f) => f.file.endsWith('.js'))) throw new BundleMissingError(dir);
  return files;
}
