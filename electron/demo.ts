/**
 * `npm run demo [-- --browser] [--no-open] [--port N]`: a newcomer's first minute (issue 6).
 * Starts the Local demo (core/service/demo/local-demo.ts: the bundled sshd on a free loopback
 * port with throwaway keys, and the "Local demo" profile for it), then opens the app:
 *   - Electron when its binary is present (and --browser is not given): `electron .`, which
 *     reads the same profiles.json (config/app-dirs.ts);
 *   - otherwise the browser host (core/service/web) in this process on 127.0.0.1: prints
 *     "Keyway is running at URL" and opens the URL with xdg-open when there is one (not with
 *     --no-open).
 * Ctrl-C (SIGINT) or SIGTERM stops what it started: Electron, the browser host, the service,
 * the sshd, and removes the throwaway keys. When the Electron window is closed it stops too.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appDataDir } from '../core/config/app-dirs.js';
import { startLocalDemo, type LocalDemo } from '../core/service/demo/local-demo.js';
import { applyRuntimeTuning } from '../core/runtime-tuning.js';
import { createService } from '../core/service/service.js';
import { DEFAULT_UI_DIR, parseWebArgs } from '../core/service/web/main.js';
import { startWebHost } from '../core/service/web/web-host.js';
import { findElectronBinary } from './binary.js';
import { runElectron } from './launch.js';

export interface DemoArgs {
  readonly browser: boolean;
  readonly open: boolean;
  readonly port: number;
}

export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  const rest = argv.filter((a) => a !== '--browser' && a !== '--no-open');
  let port: number;
  try {
    port = parseWebArgs(rest).port;
  } catch (e) {
    throw new Error(
      `${(e as Error).message.replace(/; usage:.*$/, '')}; usage: demo [--browser] [--no-open] [--port N]`,
      { cause: e },
    );
  }
  if (rest.includes('--ui-dir')) throw new Error('unknown argument --ui-dir');
  return { browser: argv.includes('--browser'), open: !argv.includes('--no-open'), port };
}

/** The first executable `name` on PATH, or null. */
export function onPath(name: string, path = process.env['PATH'] ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const full = join(dir, name);
    try {
      accessSync(full, constants.X_OK);
      return full;
    } catch {
      // not here
    }
  }
  return null;
}

function stopSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

const say = (line: string) => process.stdout.write(`${line}\n`);

async function browserHost(demo: LocalDemo, args: DemoArgs): Promise<void> {
  applyRuntimeTuning();
  const service = createService({ onWarning: (m) => process.stderr.write(`keyway: ${m}\n`) });
  const host = await startWebHost({ service, port: args.port, uiDir: DEFAULT_UI_DIR }).catch(
    (e: unknown) => {
      service.close();
      throw e;
    },
  );
  say(`Keyway is running at ${host.url}`);
  const opener = args.open ? onPath('xdg-open') : null;
  if (opener) {
    const child = spawn(opener, [host.url], { stdio: 'ignore', detached: true });
    child.once('error', () => {}); // nothing to open it with: the URL is printed above
    child.unref();
  }
  say(`Open the "${demo.profile.name}" host there. Ctrl-C stops the demo.`);
  await stopSignal();
  service.close();
  await host.close();
}

async function main(): Promise<void> {
  let args: DemoArgs;
  try {
    args = parseDemoArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`keyway demo: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const demo = await startLocalDemo({ dataDir: appDataDir() });
  say(
    `Local demo: keyway sshd on 127.0.0.1 port ${demo.port}, user ${demo.user}, ` +
      `key ${demo.keyPath}; profile "${demo.profile.name}" saved`,
  );
  let status = 0;
  try {
    const electron = args.browser ? null : findElectronBinary();
    if (electron?.ok) {
      say('Opening Keyway (Electron). Close the window or press Ctrl-C to stop the demo.');
      status = await runElectron(electron.path);
    } else {
      if (electron) say(`Electron is not available here (${electron.why}): using the browser.`);
      await browserHost(demo, args);
    }
  } catch (e) {
    process.stderr.write(`keyway demo: ${(e as Error).message}\n`);
    status = 1;
  } finally {
    await demo.close();
  }
  process.exit(status);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) void main();
