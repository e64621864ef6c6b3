import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  matchPatternList,
  parseSshConfig,
  resolveHost,
  splitArgs,
} from '../../../core/config/ssh-config.js';
import { ConfigError } from '../../../core/errors.js';

const text = `
# global comment
Host web*.example.org !web3.example.org
  HostName 10.0.0.1
  User deploy
  IdentityFile ~/.ssh/web
Host *.example.org
  User=other
  Port 2200
  IdentityFile "~/.ssh/with space"
Match host foo
  User matched
Host *
  Port 22
  IdentityFile ~/.ssh/id_ed25519
`;

test('Host blocks: first value wins, IdentityFile accumulates, negation excludes', () => {
  const c = parseSshConfig(text, 'cfg');
  const web1 = resolveHost(c, 'web1.example.org');
  assert.deepEqual(web1.get('hostname'), [['10.0.0.1']]);
  assert.deepEqual(web1.get('user'), [['deploy']]);
  assert.deepEqual(web1.get('port'), [['2200']]);
  assert.deepEqual(web1.get('identityfile'), [
    ['~/.ssh/web'],
    ['~/.ssh/with space'],
    ['~/.ssh/id_ed25519'],
  ]);
  const web3 = resolveHost(c, 'WEB3.example.org');
  assert.deepEqual(web3.get('user'), [['other']]);
  assert.equal(web3.get('hostname'), undefined);
  assert.deepEqual(resolveHost(c, 'elsewhere').get('port'), [['22']]);
  assert.equal(c.warnings.length, 1);
  assert.match(c.warnings[0] ?? '', /cfg line 11: Match blocks are not applied/);
});

test('words: quotes, =, tabs', () => {
  assert.deepEqual(splitArgs('User=alice', 'x'), ['User', 'alice']);
  assert.deepEqual(splitArgs('User = alice', 'x'), ['User', 'alice']);
  assert.deepEqual(splitArgs('IdentityFile\t"a b"  c', 'x'), ['IdentityFile', 'a b', 'c']);
  assert.throws(
    () => splitArgs('User "open', 'f line 3'),
    (e: unknown) => e instanceof ConfigError && /f line 3: unbalanced quote/.test(e.message),
  );
  assert.throws(() => parseSshConfig('Host\n', 'f'), /Host needs at least one pattern/);
  assert.throws(() => parseSshConfig('Port\n', 'f'), /Port needs a value/);
});

test('pattern lists', () => {
  assert.ok(matchPatternList(['*'], 'a'));
  assert.ok(matchPatternList(['a?c'], 'abc'));
  assert.ok(!matchPatternList(['*', '!abc'], 'abc'));
  assert.ok(!matchPatternList(['!abc'], 'xyz'));
});
