/**
 * Finding the Electron executable without importing the `electron` package (its index.js
 * tries to download the binary when it is missing, which cannot work on machines without
 * network access to GitHub). The package records the executable's path inside its dist/ in
 * path.txt after its install script has downloaded it; ELECTRON_OVERRIDE_DIST_PATH points at
 * a local build instead, as the package itself allows.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type ElectronBinary =
  { readonly ok: true; readonly path: string } | { readonly ok: false; readonly why: string };

export const NO_ELECTRON_HELP =
  'Electron cannot run here: its binary is not installed. `npm ci` downloads it (unless ' +
  'ELECTRON_SKIP_BINARY_DOWNLOAD is set); where the network allows, `npx install-electron` ' +
  'fetches it now. Without Electron, `npm run start:web` runs the same app in a browser.';

export function findElectronBinary(
  env: NodeJS.ProcessEnv = process.env,
  from: string = import.meta.url,
): ElectronBinary {
  let pkgDir: string;
  try {
    pkgDir = dirname(createRequire(from).resolve('electron/package.json'));
  } catch {
    return { ok: false, why: 'the electron package is not installed (npm ci)' };
  }
  const pathFile = join(pkgDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const override = env['ELECTRON_OVERRIDE_DIST_PATH'];
  if (override !== undefined && override !== '') {
    const path = join(override, relative || 'electron');
    return existsSync(path)
      ? { ok: true, path }
      : { ok: false, why: `ELECTRON_OVERRIDE_DIST_PATH has no ${path}` };
  }
  if (relative === '') return { ok: false, why: `${pathFile} is missing (binary not downloaded)` };
  const path = join(pkgDir, 'dist', relative);
  return existsSync(path) ? { ok: true, path } : { ok: false, why: `${path} is missing` };
}
