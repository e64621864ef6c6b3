// Shared helpers for the known_hosts tests: temp dirs, key lines, and ssh-keygen -F / -H.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateHostKeyPair, type HostKeyType } from '../../../core/crypto/hostkey/index.js';
import type { PublicKey } from '../../../core/crypto/hostkey/types.js';

export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-hosts-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const cache = new Map<string, PublicKey>();

/** A public key of this type; `n` picks one of several distinct keys of the same type. */
export function key(type: HostKeyType, n = 0): PublicKey {
  const id = `${type}/${n}`;
  let k = cache.get(id);
  if (!k) {
    k = generateHostKeyPair(type, 2048).publicKey;
    cache.set(id, k);
  }
  return k;
}

/** `type base64` for a key. */
export function keyText(k: PublicKey): string {
  return `${k.type} ${Buffer.from(k.blob).toString('base64')}`;
}

/** The line numbers `ssh-keygen -F name -f file` reports, with their marker word. */
export function keygenFind(file: string, name: string): { line: number; marker: string }[] {
  const r = spawnSync('ssh-keygen', ['-F', name, '-f', file], { encoding: 'utf8' });
  if (r.error) throw r.error;
  const out: { line: number; marker: string }[] = [];
  for (const l of r.stdout.split('\n')) {
    const m = /^# Host .* found: line (\d+) ?(\S*)/.exec(l);
    if (m) out.push({ line: Number(m[1]), marker: m[2] ?? '' });
  }
  return out;
}

/** `ssh-keygen -H -f file`: hashes the names in place (keeps file.old). */
export function keygenHash(file: string): void {
  const r = spawnSync('ssh-keygen', ['-H', '-f', file], { encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`ssh-keygen -H failed: ${r.stderr}`);
}
