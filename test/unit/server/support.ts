// Shared helpers for the core/server tests: temporary directories, keys made by ssh-keygen, and
// authorized_keys lines built from them.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parsePublicKeyText } from '../../../core/keys/index.js';

import type { TempDir } from '../../support/temp-dir.js';
export { tempDir, type TempDir } from '../../support/temp-dir.js';

/** Runs a program; its stdout, or throws with its stderr. */
export function run(cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): string {
  return execFileSync(cmd, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(env !== undefined ? { env: { ...process.env, ...env } } : {}),
  });
}

/** Runs a program and reports how it ended, without throwing. */
export function tryRun(
  cmd: string,
  args: readonly string[],
  env?: NodeJS.ProcessEnv,
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    ...(env !== undefined ? { env: { ...process.env, ...env } } : {}),
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface GeneratedKey {
  /** The private key file; its public half is `${path}.pub`. */
  readonly path: string;
  /** The .pub line: "type base64 comment". */
  readonly line: string;
  readonly type: string;
  readonly blob: Uint8Array;
}

/** A new unencrypted key made by ssh-keygen (`-t t [-b bits]`), commented `keyway-<name>`. */
export function keygen(d: TempDir, name: string, t: string, bits?: number): GeneratedKey {
  const path = d.path(name);
  run('ssh-keygen', [
    '-q',
    '-t',
    t,
    ...(bits !== undefined ? ['-b', String(bits)] : []),
    '-N',
    '',
    '-C',
    `keyway-${name}`,
    '-f',
    path,
  ]);
  const line = readFileSync(`${path}.pub`, 'utf8').trim();
  const { publicKey } = parsePublicKeyText(line);
  return { path, line, type: publicKey.type, blob: publicKey.blob };
}

/** "type base64" of a key: an authorized_keys line without options or comment. */
export function keyText(k: { readonly type: string; readonly blob: Uint8Array }): string {
  return `${k.type} ${Buffer.from(k.blob).toString('base64')}`;
}
