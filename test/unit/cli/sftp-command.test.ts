import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandError, parseLine, splitLine } from '../../../core/cli/sftp-command.js';

const texts = (line: string) => splitLine(line).words.map((w) => w.text);
const globs = (line: string) => splitLine(line).words.map((w) => w.glob);

test('words: blanks split, quotes group, backslashes escape, # starts a comment', () => {
  assert.deepEqual(texts('get  a   b'), ['get', 'a', 'b']);
  assert.deepEqual(texts('get "a b" \'c d\''), ['get', 'a b', 'c d']);
  assert.deepEqual(texts('get a\\ b'), ['get', 'a b']);
  assert.deepEqual(texts('get "say \\"hi\\"" \'it\\\'s\''), ['get', 'say "hi"', "it's"]);
  assert.deepEqual(texts('get ab"c d"e'), ['get', 'abc de']);
  assert.deepEqual(texts('put "" x'), ['put', '', 'x']);
  assert.deepEqual(texts('ls # a comment'), ['ls']);
  assert.deepEqual(texts('ls "#not a comment"'), ['ls', '#not a comment']);
  assert.deepEqual(texts('   '), []);
  assert.throws(() => splitLine('get "open'), CommandError);
  assert.throws(() => splitLine("get 'open"), /Unterminated quoted argument/);
  assert.throws(() => splitLine('get x\\'), /Unterminated/);
});

test('glob forms: quoted or escaped wildcards are escaped, bare ones glob', () => {
  assert.deepEqual(globs('rm a*'), ['rm', 'a*']);
  assert.deepEqual(globs('rm "a*"'), ['rm', 'a\\*']);
  assert.deepEqual(globs("rm 'a?[x]'"), ['rm', 'a\\?\\[x\\]']);
  assert.deepEqual(globs('rm a\\*'), ['rm', 'a\\*']);
  assert.deepEqual(texts('rm a\\*'), ['rm', 'a*']);
  assert.deepEqual(globs('rm "back\\slash"'), ['rm', 'back\\\\slash']);
});

test('prefixes: - ignores errors, @ suppresses the echo', () => {
  assert.deepEqual(
    { i: splitLine('-rm x').ignoreErrors, e: splitLine('-rm x').noEcho },
    { i: true, e: false },
  );
  assert.equal(splitLine('@-rm x').ignoreErrors, true);
  assert.equal(splitLine('@-rm x').noEcho, true);
  assert.equal(splitLine('  - rm x').ignoreErrors, true);
  assert.equal(splitLine('rm -x').ignoreErrors, false);
  assert.deepEqual(texts('-rm x'), ['rm', 'x']);
});

test('commands and their flags', () => {
  assert.equal(parseLine('').command, null);
  assert.equal(parseLine('# only a comment').command, null);
  assert.deepEqual(parseLine('get -rp /a b').command, {
    kind: 'get',
    flags: { recursive: true, preserve: true, resume: false },
    source: { text: '/a', glob: '/a' },
    target: 'b',
  });
  assert.deepEqual(parseLine('reput x').command, {
    kind: 'put',
    flags: { recursive: false, preserve: false, resume: true },
    source: { text: 'x', glob: 'x' },
  });
  assert.deepEqual(parseLine('ls -la dir').command, {
    kind: 'ls',
    flags: { long: true, all: true, single: false, sort: 'name', reverse: false },
    path: { text: 'dir', glob: 'dir' },
  });
  assert.deepEqual(parseLine('chmod 0640 "f g"').command, {
    kind: 'chmod',
    mode: 0o640,
    path: { text: 'f g', glob: 'f g' },
  });
  assert.deepEqual(parseLine('ln -s a b').command, {
    kind: 'ln',
    symbolic: true,
    from: 'a',
    to: 'b',
  });
  assert.deepEqual(parseLine('ln a b').command, {
    kind: 'ln',
    symbolic: false,
    from: 'a',
    to: 'b',
  });
  assert.deepEqual(parseLine('symlink a b').command, {
    kind: 'ln',
    symbolic: true,
    from: 'a',
    to: 'b',
  });
  assert.deepEqual(parseLine('df -h').command, { kind: 'df', human: true, inodes: false });
  assert.deepEqual(parseLine('cd').command, { kind: 'cd' });
  assert.deepEqual(parseLine('BYE').command, { kind: 'quit' });
  assert.deepEqual(parseLine('?').command, { kind: 'help' });
  assert.deepEqual(parseLine('get -- -odd').command, {
    kind: 'get',
    flags: { recursive: false, preserve: false, resume: false },
    source: { text: '-odd', glob: '-odd' },
  });
});

test('mistakes are worded as sftp words them', () => {
  assert.throws(() => parseLine('frob'), /^CommandError: Invalid command\.$/);
  assert.throws(() => parseLine('get'), /You must specify at least one path after a get command\./);
  assert.throws(() => parseLine('rename a'), /You must specify two paths after a rename command\./);
  assert.throws(() => parseLine('rm'), /You must specify a path after a rm command\./);
  assert.throws(
    () => parseLine('chmod rw x'),
    /You must supply a numeric argument to the chmod command\./,
  );
  assert.throws(() => parseLine('chmod 644'), /You must specify a path after a chmod command\./);
  assert.throws(() => parseLine('ls -Q'), /ls: Invalid flag -Q/);
  assert.throws(() => parseLine('get -z a'), /get: Invalid flag -z/);
  assert.throws(() => parseLine('pwd -x'), /pwd: Invalid flag -x/);
});
