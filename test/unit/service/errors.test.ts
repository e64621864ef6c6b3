// Errors across the contract (core/service/api/errors.ts): name, code and details survive the
// trip; what cannot be JSON is dropped or made plain; junk from the wire still rebuilds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostKeyError } from '../../../core/errors.js';
import {
  hasErrorCode,
  INTERNAL_ERROR,
  rebuildError,
  ServiceCallError,
  toWireError,
} from '../../../core/service/api/errors.js';
import { decodeHostFrame, encodeFrame } from '../../../core/service/api/frames.js';
import { NotFoundError } from '../../../core/service/errors.js';

test('a typed engine error keeps its name, code and details across a frame', () => {
  const e = new HostKeyError('mismatch', 'changed', {
    host: '[h]:2222',
    presented: { type: 'ssh-ed25519', fingerprint: 'SHA256:x' },
    known: [{ file: '/k', line: 3, hosts: 'h', type: 'ssh-ed25519', fingerprint: 'SHA256:y' }],
  });
  const m = decodeHostFrame(encodeFrame({ type: 'error', id: 1, error: toWireError(e) }));
  assert.equal(m.type, 'error');
  const back = rebuildError(m.type === 'error' ? m.error : null);
  assert.ok(back instanceof ServiceCallError);
  assert.equal(back.name, 'HostKeyError');
  assert.equal(back.code, 'HOST_KEY_ERROR');
  assert.equal(back.message, 'changed');
  assert.equal(back.details['kind'], 'mismatch');
  assert.deepEqual(back.details['known'], [
    { file: '/k', line: 3, hosts: 'h', type: 'ssh-ed25519', fingerprint: 'SHA256:y' },
  ]);
  assert.ok(hasErrorCode(back, 'HOST_KEY_ERROR'));
  assert.deepEqual(back.toWire(), toWireError(e));
});

test('service errors carry their own codes', () => {
  assert.deepEqual(toWireError(new NotFoundError('terminal', 't1')), {
    name: 'NotFoundError',
    code: 'NOT_FOUND',
    message: 'no terminal "t1"',
    details: { what: 'terminal', id: 't1' },
  });
});

test('plain errors and thrown non-errors become INTERNAL_ERROR', () => {
  assert.equal(toWireError(new TypeError('x')).code, INTERNAL_ERROR);
  assert.equal(toWireError(new TypeError('x')).name, 'TypeError');
  assert.deepEqual(toWireError('boom'), {
    name: 'Error',
    code: INTERNAL_ERROR,
    message: 'boom',
    details: {},
  });
});

test('details are made JSON-safe: cycles and functions dropped, bigints as text, causes plain', () => {
  const details: Record<string, unknown> = {
    n: 10n,
    f: () => 1,
    cause: new Error('under'),
    bytes: Uint8Array.from([1]),
  };
  details['self'] = details;
  const e = Object.assign(new Error('m'), { code: 'X', details });
  const w = toWireError(e);
  assert.deepEqual(w.details, {
    n: '10',
    cause: { name: 'Error', message: 'under' },
    bytes: Uint8Array.from([1]),
  });
});

test('a malformed wire error still rebuilds as a ServiceCallError', () => {
  for (const junk of [null, 5, 'x', { code: 7 }, { details: [] }]) {
    const e = rebuildError(junk);
    assert.ok(e instanceof ServiceCallError);
    assert.equal(typeof e.code, 'string');
    assert.deepEqual(e.details, {});
  }
});
