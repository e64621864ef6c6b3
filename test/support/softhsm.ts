/**
 * A SoftHSM2 token for the smartcard tests, in a temp dir of its own: a softhsm2.conf whose
 * tokendir is inside that dir (SOFTHSM2_CONF points at it), a token made with
 * `softhsm2-util --init-token --free`, and key pairs made inside it with OpenSC's
 * `pkcs11-tool --keypairgen`. Nothing outside the temp dir is touched; cleanup() removes it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tempDir, type TempDir } from './temp-dir.js';

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

export interface TokenKeySpec {
  /** pkcs11-tool --key-type: 'EC:prime256v1', 'rsa:2048', … */
  readonly keyType: string;
  /** CKA_ID in hex, e.g. '01'. */
  readonly id: string;
  readonly label: string;
}

export interface SoftHsmToken {
  readonly dir: TempDir;
  /** The softhsm2.conf path: give it as SOFTHSM2_CONF. */
  readonly conf: string;
  readonly label: string;
  readonly pin: string;
  readonly soPin: string;
  /** Environment for child processes that use the token. */
  readonly env: Record<string, string>;
  /** Runs pkcs11-tool against the token's module with this environment. */
  tool(args: readonly string[]): string;
  /** The token's public keys as OpenSSH's `ssh-keygen -D` prints them: authorized_keys lines. */
  opensshKeys(): string[];
  cleanup(): void;
}

export function createSoftHsmToken(o: {
  readonly label?: string;
  readonly pin?: string;
  readonly keys: readonly TokenKeySpec[];
}): SoftHsmToken {
  const dir = tempDir('softhsm');
  try {
    const tokens = dir.path('tokens');
    mkdirSync(tokens, { mode: 0o700 });
    const conf = dir.path('softhsm2.conf');
    writeFileSync(
      conf,
      `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`,
    );
    const env = { SOFTHSM2_CONF: conf };
    const run = (file: string, args: readonly string[]): string =>
      execFileSync(file, args, {
        env: { ...process.env, ...env },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    const label = o.label ?? 'keyway test';
    const pin = o.pin ?? '123456';
    const soPin = '12345678';
    run('softhsm2-util', [
      '--init-token',
      '--free',
      '--label',
      label,
      '--pin',
      pin,
      '--so-pin',
      soPin,
    ]);
    const tool = (args: readonly string[]): string =>
      run('pkcs11-tool', ['--module', SOFTHSM_MODULE, '--token-label', label, ...args]);
    for (const k of o.keys) {
      tool(
        ['--keypairgen', '--key-type', k.keyType, '--id', k.id, '--label', k.label].concat([
          '--login',
          '--pin',
          pin,
        ]),
      );
    }
    const opensshKeys = (): string[] =>
      run('ssh-keygen', ['-D', SOFTHSM_MODULE]).trim().split('\n');
    return { dir, conf, label, pin, soPin, env, tool, opensshKeys, cleanup: () => dir.cleanup() };
  } catch (e) {
    dir.cleanup();
    throw e;
  }
}
