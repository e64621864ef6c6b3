/**
 * Property: any permutation of Host blocks drawn from a pool (patterns with `*`, `?`, `!`;
 * first-value-wins and accumulating options) resolves in Keyway exactly as in OpenSSH 9.2's
 * `ssh -G`, for several destinations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { keywayDump, opensshDump, parityHome } from '../support/ssh-config-parity.js';

const PATTERNS = ['*', 'web*', 'web?', '!web2 web*', 'db1', '*.example.org', 'db* !db3', '*1'];
const OPTIONS = [
  'User alice',
  'User bob',
  'Port 2200',
  'Port 2201',
  'IdentityFile ~/.ssh/id_%h',
  'IdentityFile ~/.ssh/shared',
  'SendEnv LANG',
  'SendEnv -LANG',
  'SetEnv X=1',
  'LocalForward 8080 localhost:80',
  'Ciphers +aes128-cbc',
  'MACs -umac*',
  'ProxyJump gw%p',
  'HostName %h.example.org',
  'Compression yes',
  'ServerAliveInterval 30',
  'StrictHostKeyChecking accept-new',
];
const DESTS = ['web1', 'web2', 'db1', 'db3', 'x.example.org'];

test('random Host block permutations resolve as ssh -G does', async () => {
  const h = parityHome();
  const file = h.tmp.path('prop.conf');
  try {
    const block = fc.record({
      pattern: fc.constantFrom(...PATTERNS),
      options: fc.subarray(OPTIONS, { minLength: 1, maxLength: 5 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(block, { minLength: 1, maxLength: 6 }),
        fc.constantFrom(...DESTS),
        fc.constantFrom([], ['-p', '2300'], ['-o', 'User=cli']),
        async (blocks, dest, opts) => {
          const text = blocks
            .map((b) => `Host ${b.pattern}\n${b.options.map((o) => `  ${o}\n`).join('')}`)
            .join('');
          writeFileSync(file, text);
          const argv = ['-F', file, ...opts, dest];
          assert.deepEqual(await keywayDump(h, argv), opensshDump(h, argv), text);
        },
      ),
      { numRuns: 40 },
    );
  } finally {
    h.cleanup();
  }
});
