import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  baseName,
  escapeGlob,
  expandGlob,
  globMatch,
  hasGlob,
  makeAbsolute,
  unescapeGlob,
} from '../../../core/cli/sftp-glob.js';

test('globMatch: *, ?, brackets with ranges and negation, escapes, leading dots', () => {
  assert.equal(globMatch('*.txt', 'a.txt'), true);
  assert.equal(globMatch('*.txt', 'a.txt.bak'), false);
  assert.equal(globMatch('a?c', 'abc'), true);
  assert.equal(globMatch('a?c', 'ac'), false);
  assert.equal(globMatch('[a-c]x', 'bx'), true);
  assert.equal(globMatch('[a-c]x', 'dx'), false);
  assert.equal(globMatch('[!a-c]x', 'dx'), true);
  assert.equal(globMatch('[^a-c]x', 'ax'), false);
  assert.equal(globMatch('[]]', ']'), true);
  assert.equal(globMatch('\\*', '*'), true);
  assert.equal(globMatch('\\*', 'x'), false);
  assert.equal(globMatch('a*b*c', 'aXXbYYc'), true);
  assert.equal(globMatch('a*b*c', 'aXXbYY'), false);
  assert.equal(globMatch('*', '.hidden'), false, 'a wildcard does not match a leading dot');
  assert.equal(globMatch('.*', '.hidden'), true);
  assert.equal(globMatch('[', '['), true, 'an unterminated bracket is literal');
  assert.equal(globMatch('é?', 'éa'), true);
  // no exponential blowup on a pathological pattern: backtracking would take minutes here, a
  // linear matcher microseconds; the bound sits far from both, for a loaded machine
  const t = Date.now();
  assert.equal(globMatch('a*a*a*a*a*a*a*a*b', 'a'.repeat(60)), false);
  assert.ok(Date.now() - t < 5_000);
});

test('hasGlob, escapeGlob and unescapeGlob round-trip', () => {
  assert.equal(hasGlob('plain/name'), false);
  assert.equal(hasGlob('a*'), true);
  assert.equal(hasGlob('a\\*'), false);
  assert.equal(hasGlob('x[1]'), true);
  const odd = 'we[ir]d*?\\name';
  assert.equal(hasGlob(escapeGlob(odd)), false);
  assert.equal(unescapeGlob(escapeGlob(odd)), odd);
  assert.equal(globMatch(escapeGlob(odd), odd), true);
});

test('paths: makeAbsolute and baseName', () => {
  assert.equal(makeAbsolute('x', '/home/u'), '/home/u/x');
  assert.equal(makeAbsolute('/abs', '/home/u'), '/abs');
  assert.equal(makeAbsolute('.', '/home/u'), '/home/u');
  assert.equal(makeAbsolute('x', '/'), '/x');
  assert.equal(baseName('/a/b/c'), 'c');
  assert.equal(baseName('/a/b/'), 'b');
  assert.equal(baseName('/'), '/');
});

test('expandGlob walks components against a listing, sorted; no match gives []', async () => {
  const tree: Record<string, string[]> = {
    '/': ['srv', 'etc'],
    '/srv': ['a.txt', 'b.txt', 'c.bin', '.hidden.txt', 'sub1', 'sub2'],
    '/srv/sub1': ['x.log'],
    '/srv/sub2': ['y.log', 'z.txt'],
  };
  const list = async (dir: string) => {
    const names = tree[dir];
    if (names === undefined) throw new Error('ENOTDIR');
    return names.map((name) => ({ name }));
  };
  const paths = async (p: string) => (await expandGlob(p, list)).map((m) => m.path);
  assert.deepEqual(await paths('/srv/*.txt'), ['/srv/a.txt', '/srv/b.txt']);
  assert.deepEqual(await paths('/srv/sub*/*.log'), ['/srv/sub1/x.log', '/srv/sub2/y.log']);
  assert.deepEqual(await paths('/srv/*.none'), []);
  assert.deepEqual(await paths('/srv/plain'), ['/srv/plain'], 'no wildcard: taken as written');
  assert.deepEqual(await paths('/srv/star\\*'), ['/srv/star*']);
  assert.deepEqual(await paths('/s?v/c.*'), ['/srv/c.bin']);
});
