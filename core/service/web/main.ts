/**
 * `npm run start:web [-- --port N] [--ui-dir DIR]`: the service in this Node process and the
 * browser host on 127.0.0.1 (web-host.ts); prints the URL to open (with its token) and runs
 * until SIGINT or SIGTERM. The renderer is served from dist/ui (the renderer build's output)
 * unless --ui-dir names another directory.
 */
import { fileURLToPath } from 'node:url';
import { applyRuntimeTuning } from '../../runtime-tuning.js';
import { createService } from '../service.js';
import { startWebHost } from './web-host.js';

export interface WebArgs {
  readonly port: number;
  readonly uiDir: string;
}

export const DEFAULT_UI_DIR = fileURLToPath(new URL('../../../ui', import.meta.url));

export function parseWebArgs(argv: readonly string[]): WebArgs {
  let port = 0;
  let uiDir = DEFAULT_UI_DIR;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = argv[i + 1];
    if ((a === '--port' || a === '--ui-dir') && value === undefined)
      throw new Error(`${a} needs a value`);
    if (a === '--port') {
      if (!/^\d{1,5}$/.test(value ?? '') || Number(value) > 65535)
        throw new Error(`--port ${value}: not a port number`);
      port = Number(value);
      i++;
    } else if (a === '--ui-dir') {
      uiDir = value ?? uiDir;
      i++;
    } else {
      throw new Error(`unknown argument ${a}; usage: start:web [--port N] [--ui-dir DIR]`);
    }
  }
  return { port, uiDir };
}

async function main(): Promise<void> {
  applyRuntimeTuning();
  let args: WebArgs;
  try {
    args = parseWebArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`keyway web: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const service = createService({ onWarning: (m) => process.stderr.write(`keyway: ${m}\n`) });
  let host;
  try {
    host = await startWebHost({ service, port: args.port, uiDir: args.uiDir });
  } catch (e) {
    process.stderr.write(
      `keyway web: cannot listen on 127.0.0.1 port ${args.port}: ${(e as Error).message}\n`,
    );
    service.close();
    process.exit(1);
  }
  process.stdout.write(`Keyway is running at ${host.url}\n`);
  const stop = () => {
    service.close();
    void host?.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) void main();
