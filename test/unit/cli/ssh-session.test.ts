import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EscapeFilter, wantPty } from '../../../core/cli/ssh-session.js';

test('~. after a newline disconnects; ~~ sends one ~; ~ elsewhere is plain text', () => {
  const f = new EscapeFilter();
  assert.deepEqual(f.filter(Buffer.from('ls ~/x\r')), {
    data: Buffer.from('ls ~/x\r'),
    disconnect: false,
  });
  assert.deepEqual(f.filter(Buffer.from('~~a')), { data: Buffer.from('~a'), disconnect: false });
  const g = new EscapeFilter();
  assert.deepEqual(g.filter(Buffer.from('~')), { data: Buffer.from(''), disconnect: false });
  assert.deepEqual(g.filter(Buffer.from('.')), { data: Buffer.from(''), disconnect: true });
  const h = new EscapeFilter();
  assert.deepEqual(h.filter(Buffer.from('echo\r~.')), {
    data: Buffer.from('echo\r'),
    disconnect: true,
  });
  const i = new EscapeFilter();
  assert.deepEqual(i.filter(Buffer.from('~x')), { data: Buffer.from('~x'), disconnect: false });
});

test('pty requests follow RequestTTY and -t/-tt/-T as ssh does', () => {
  assert.equal(wantPty(undefined, undefined, false, true), true); // interactive shell
  assert.equal(wantPty(undefined, undefined, true, true), false); // a command
  assert.equal(wantPty(undefined, 1, true, true), true); // -t
  assert.equal(wantPty(undefined, 1, true, false), false); // -t without a local tty
  assert.equal(wantPty(undefined, 2, true, false), true); // -tt forces
  assert.equal(wantPty('force', undefined, true, false), true);
  assert.equal(wantPty('yes', 0, false, true), false); // -T wins
  assert.equal(wantPty('no', undefined, false, true), false);
});
