/**
 * ssh_config parity: every config file of test/fixtures/ssh_config, for the destinations and
 * command-line options its `# dests:` / `# opts:` header names, resolved by Keyway and by
 * Debian's OpenSSH 9.2 `ssh -G -F <file>`, compared line by line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, keywayDump, opensshDump, parityHome } from '../support/ssh-config-parity.js';

/** Lines allowed to differ, by keyword, with the reason. None so far. */
const KNOWN_DIFFERENCES: Record<string, string> = {};

function cases(file: string): string[][] {
  const text = readFileSync(join(FIXTURES, file), 'utf8');
  const dests = /^# dests: (.*)$/m.exec(text)?.[1]?.split(' ') ?? [];
  const opts = ['', ...(/^# opts: (.*)$/m.exec(text)?.[1]?.split(' | ') ?? [])];
  const out: string[][] = [];
  for (const d of dests) for (const o of opts) out.push([...(o === '' ? [] : o.split(' ')), d]);
  return out;
}

const files = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.conf'))
  .sort();

test('the corpus has at least 40 config files', () => {
  assert.ok(files.length >= 40, `${files.length} files`);
});

test('keyway ssh -G equals OpenSSH ssh -G for every fixture, destination and option set', async () => {
  const h = parityHome();
  try {
    let compared = 0;
    for (const f of files) {
      for (const argv of cases(f)) {
        const full = ['-F', join(h.home, '.ssh', f), ...argv];
        const theirs = opensshDump(h, full);
        const ours = await keywayDump(h, full);
        const label = `${f}: ssh -G ${argv.join(' ')}`;
        if ('error' in theirs) {
          assert.ok(
            'error' in ours,
            `${label}: ssh refused (${theirs.error.trim()}), Keyway did not`,
          );
          continue;
        }
        if ('error' in ours) assert.fail(`${label}: Keyway refused: ${ours.error}`);
        const keep = (l: string): boolean => !((l.split(' ')[0] ?? '') in KNOWN_DIFFERENCES);
        assert.ok(theirs.length > 50, `${label}: ssh -G printed ${theirs.length} lines`);
        assert.deepEqual(ours.filter(keep), theirs.filter(keep), label);
        compared++;
      }
    }
    assert.ok(compared >= 80, `${compared} comparisons`);
  } finally {
    h.cleanup();
  }
});
