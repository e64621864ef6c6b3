// Host patterns and names as OpenSSH matches them: globs, comma lists with negation,
// [host]:port, and |1| hashed names (checked against ssh-keygen -H's output).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  hashHostName,
  hostFieldMatches,
  isRecordableHost,
  knownHostName,
  matchPattern,
  matchPatternList,
} from '../../../core/hosts/index.js';
import { key, keyText, keygenHash, tempDir } from './support.js';

test('knownHostName: plain for port 22, [host]:port otherwise, lowercase', () => {
  assert.equal(knownHostName('Example.COM'), 'example.com');
  assert.equal(knownHostName('example.com', 22), 'example.com');
  assert.equal(knownHostName('Example.com', 2222), '[example.com]:2222');
  assert.equal(knownHostName('::1', 2200), '[::1]:2200');
  assert.equal(knownHostName('10.0.0.1', 22), '10.0.0.1');
});

test('matchPattern: * and ? globs over the whole string', () => {
  const cases: [string, string, boolean][] = [
    ['host', 'host', true],
    ['host', 'hos', false],
    ['host', 'h*', true],
    ['host', '*', true],
    ['', '*', true],
    ['', '', true],
    ['a', '', false],
    ['host.example.com', '*.example.com', true],
    ['example.com', '*.example.com', false],
    ['host1', 'host?', true],
    ['host', 'host?', false],
    ['host12', 'host?', false],
    ['abcbcd', 'a*bcd', true],
    ['aXbYc', 'a*b*c', true],
    ['aXbY', 'a*b*c', false],
    ['[host]:2222', '[host]:2222', true],
    ['[host]:2222', '[h*]:22?2', true],
    ['[host]:2222', 'host', false],
    ['[host]:2222', '*', true],
    ['h', '[h]', false], // brackets are literal, not a character class
  ];
  for (const [s, p, want] of cases) assert.equal(matchPattern(s, p), want, `${s} ~ ${p}`);
});

test('matchPattern agrees with an anchored regular expression', () => {
  const alphabet = fc.constantFrom('a', 'b', '.', '*', '?');
  fc.assert(
    fc.property(
      fc.string({ unit: fc.constantFrom('a', 'b', '.'), maxLength: 12 }),
      fc.string({ unit: alphabet, maxLength: 8 }),
      (s, p) => {
        const re = new RegExp(
          '^' +
            [...p]
              .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace('.', '\\.')))
              .join('') +
            '$',
          's',
        );
        assert.equal(matchPattern(s, p), re.test(s), `${s} ~ ${p}`);
      },
    ),
  );
});

test('matchPatternList: comma lists; a negated match wins; patterns case-insensitive', () => {
  assert.equal(matchPatternList('b.example', 'a.example,b.example'), 1);
  assert.equal(matchPatternList('c.example', 'a.example,b.example'), 0);
  assert.equal(matchPatternList('b.example', '*.example,!b.example'), -1);
  assert.equal(matchPatternList('b.example', '!b.example,*.example'), -1);
  assert.equal(matchPatternList('a.example', '*.example,!b.example'), 1);
  assert.equal(matchPatternList('a.example', '!b.example'), 0);
  assert.equal(matchPatternList('host.example', 'HOST.Example'), 1);
  assert.equal(hostFieldMatches('*.example,!bad.example', 'bad.example'), false);
  assert.equal(hostFieldMatches('*.example,!bad.example', 'good.example'), true);
});

test('isRecordableHost refuses what OpenSSH will not write', () => {
  for (const h of ['example.com', '10.1.2.3', '::1', 'host-1_a']) assert.ok(isRecordableHost(h), h);
  for (const h of [
    '',
    'a b',
    'a,b',
    '*.x',
    'h?',
    '[h]',
    'a|b',
    '!h',
    'a#b',
    'u@h',
    'a"b',
    "a'b",
    'a\\b',
    'a\nb',
  ]) {
    assert.equal(isRecordableHost(h), false, JSON.stringify(h));
  }
});

test('hashHostName: |1|salt|hash, recomputable with the same salt; fresh salt each time', () => {
  const a = hashHostName('example.com');
  assert.match(a, /^\|1\|[A-Za-z0-9+/]{27}=\|[A-Za-z0-9+/]{27}=$/);
  assert.notEqual(hashHostName('example.com'), a);
  assert.ok(hostFieldMatches(a, 'example.com'));
  assert.equal(hostFieldMatches(a, 'example.org'), false);
  const salt = new Uint8Array(20).fill(7);
  assert.equal(hashHostName('x', salt), hashHostName('x', salt));
  assert.equal(hostFieldMatches('|1|bad|bad', 'x'), false);
  assert.equal(hostFieldMatches('|2|AAAA|AAAA', 'x'), false);
});

test('names hashed by ssh-keygen -H match, also [host]:port; others do not', () => {
  const t = tempDir();
  try {
    const file = join(t.dir, 'known_hosts');
    const names = ['example.com', '[example.com]:2222', '10.0.0.7', 'mixed.case.host'];
    writeFileSync(file, names.map((n) => `${n} ${keyText(key('ssh-ed25519'))}\n`).join(''));
    keygenHash(file);
    const fields = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' ')[0] ?? '');
    assert.equal(fields.length, names.length);
    fields.forEach((f, i) => {
      assert.match(f, /^\|1\|/);
      assert.ok(hostFieldMatches(f, names[i] ?? ''), `${names[i]} in ${f}`);
      assert.equal(hostFieldMatches(f, 'other.example'), false);
    });
  } finally {
    t.cleanup();
  }
});
