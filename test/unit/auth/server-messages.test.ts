// Server-side user-auth codecs (RFC 4252 §5–8, RFC 4256 §3): hex layouts, round trips through
// the client's own encoders and decoders, bounds, and arbitrary bytes failing only with
// typed errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeInfoResponse,
  decodeUserauthRequest,
  encodeBanner,
  encodeFailure,
  encodeInfoRequest,
  encodePkOk,
  encodeSuccess,
  MAX_USER_BYTES,
} from '../../../core/auth/server-messages.js';
import {
  decodeBanner,
  decodeFailure,
  decodeInfoRequest,
  decodePkOk,
  infoResponse,
  kbdInteractiveRequest,
  noneRequest,
  passwordRequest,
  publickeyQuery,
  publickeyRequest,
} from '../../../core/auth/messages.js';
import { IllegalUserName } from '../../../core/auth/errors.js';
import { ProtocolError, SshError } from '../../../core/errors.js';
import { toHex } from '../../../core/wire/bytes.js';
import { SshWriter } from '../../../core/wire/writer.js';

test('answer encodings (hex)', () => {
  // 51 ‖ name-list "publickey,password" ‖ boolean true
  assert.equal(
    toHex(encodeFailure(['publickey', 'password'], true)),
    '33' + '00000012' + Buffer.from('publickey,password').toString('hex') + '01',
  );
  assert.equal(toHex(encodeFailure([], false)), '33' + '00000000' + '00');
  assert.equal(toHex(encodeSuccess()), '34');
  // 53 ‖ string "hi" ‖ string ""
  assert.equal(toHex(encodeBanner('hi')), '35' + '000000026869' + '00000000');
  // 60 ‖ string "ssh-ed25519" ‖ string 01 02
  assert.equal(
    toHex(encodePkOk('ssh-ed25519', Uint8Array.of(1, 2))),
    '3c' + '0000000b' + Buffer.from('ssh-ed25519').toString('hex') + '000000020102',
  );
  // 60 ‖ name "" ‖ instruction "" ‖ language "" ‖ 1 ‖ "P" ‖ false
  assert.equal(
    toHex(encodeInfoRequest({ prompts: [{ prompt: 'P', echo: false }] })),
    '3c' + '00000000' + '00000000' + '00000000' + '00000001' + '0000000150' + '00',
  );
});

test('answers round-trip through the client decoders', () => {
  assert.deepEqual(decodeFailure(encodeFailure(['publickey'], false)), {
    methods: ['publickey'],
    partialSuccess: false,
  });
  assert.equal(decodeBanner(encodeBanner('Welcome\r\nto Keyway ✓')), 'Welcome\nto Keyway ✓');
  const blob = Uint8Array.of(0, 0, 0, 1, 0x41);
  const ok = decodePkOk(encodePkOk('rsa-sha2-512', blob));
  assert.equal(ok.algorithm, 'rsa-sha2-512');
  assert.deepEqual([...ok.blob], [...blob]);
  const req = decodeInfoRequest(
    encodeInfoRequest({
      name: 'Two factors',
      instruction: 'Answer both',
      prompts: [
        { prompt: 'Password: ', echo: false },
        { prompt: 'Colour: ', echo: true },
      ],
    }),
  );
  assert.deepEqual(req, {
    name: 'Two factors',
    instruction: 'Answer both',
    prompts: [
      { prompt: 'Password: ', echo: false },
      { prompt: 'Colour: ', echo: true },
    ],
  });
  assert.throws(
    () =>
      encodeInfoRequest({
        prompts: Array.from({ length: 65 }, () => ({ prompt: 'x', echo: true })),
      }),
    RangeError,
  );
});

test('client requests decode on the server', () => {
  const blob = Uint8Array.of(9, 8, 7);
  assert.deepEqual(decodeUserauthRequest(noneRequest('alice')), {
    user: 'alice',
    service: 'ssh-connection',
    method: 'none',
    kind: 'none',
  });
  const q = decodeUserauthRequest(publickeyQuery('alice', 'ssh-ed25519', blob));
  assert.equal(q.kind, 'publickey');
  if (q.kind !== 'publickey') return;
  assert.equal(q.algorithm, 'ssh-ed25519');
  assert.deepEqual([...q.blob], [...blob]);
  assert.equal(q.signature, null);
  const s = decodeUserauthRequest(publickeyRequest('bob', 'rsa-sha2-256', blob, Uint8Array.of(5)));
  assert.equal(s.kind === 'publickey' && s.signature?.length, 1);
  assert.equal(s.user, 'bob');
  const p = decodeUserauthRequest(passwordRequest('émile', 'pässword'));
  assert.equal(p.user, 'émile');
  assert.ok(p.kind === 'password' && !p.change);
  if (p.kind === 'password') assert.equal(Buffer.from(p.password).toString('utf8'), 'pässword');
  const k = decodeUserauthRequest(kbdInteractiveRequest('carol'));
  assert.deepEqual(k, {
    user: 'carol',
    service: 'ssh-connection',
    method: 'keyboard-interactive',
    kind: 'keyboard-interactive',
    submethods: '',
  });
  assert.deepEqual(decodeInfoResponse(infoResponse(['a', 'ß', ''])), ['a', 'ß', '']);
});

function rawRequest(user: Uint8Array | string, method: string, ...rest: Uint8Array[]): Uint8Array {
  const w = new SshWriter()
    .writeByte(50)
    .writeString(user)
    .writeString('ssh-connection')
    .writeString(method);
  for (const r of rest) w.writeBytes(r);
  return w.toBytes();
}

test('password change request: the new password is read past, the flag kept', () => {
  const body = new SshWriter().writeBoolean(true).writeString('old').writeString('new').toBytes();
  const r = decodeUserauthRequest(rawRequest('alice', 'password', body));
  assert.ok(r.kind === 'password' && r.change);
});

test('unknown methods decode without reading their fields', () => {
  const r = decodeUserauthRequest(rawRequest('alice', 'hostbased', Uint8Array.of(1, 2, 3)));
  assert.equal(r.kind, 'other');
  assert.equal(r.method, 'hostbased');
});

test('trailing bytes after a known method are a ProtocolError', () => {
  const extra = Uint8Array.of(0);
  for (const p of [
    new Uint8Array([...noneRequest('a'), ...extra]),
    new Uint8Array([...publickeyQuery('a', 'ssh-ed25519', Uint8Array.of(1)), ...extra]),
    new Uint8Array([
      ...publickeyRequest('a', 'ssh-ed25519', Uint8Array.of(1), Uint8Array.of(2)),
      ...extra,
    ]),
    new Uint8Array([...passwordRequest('a', 'pw'), ...extra]),
    new Uint8Array([...kbdInteractiveRequest('a'), ...extra]),
    new Uint8Array([...infoResponse(['x']), ...extra]),
  ]) {
    assert.throws(
      () => (p[0] === 61 ? decodeInfoResponse(p) : decodeUserauthRequest(p)),
      ProtocolError,
    );
  }
});

test('user names: too long, not UTF-8 or with NUL are IllegalUserName', () => {
  assert.equal(decodeUserauthRequest(noneRequest('u'.repeat(MAX_USER_BYTES))).user.length, 1024);
  for (const user of ['u'.repeat(MAX_USER_BYTES + 1), Uint8Array.of(0x61, 0xff, 0x62), 'ali\0ce']) {
    assert.throws(
      () => decodeUserauthRequest(rawRequest(user, 'none')),
      (e: unknown) => e instanceof IllegalUserName && e.reason === 15,
    );
  }
});

test('INFO_RESPONSE: a count above 64 is refused before reading', () => {
  const p = new SshWriter().writeByte(61).writeUint32(0xffffffff).toBytes();
  assert.throws(() => decodeInfoResponse(p), /4294967295 responses/);
});

test('arbitrary bytes: decoders fail only with typed errors', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (tail) => {
      for (const p of [new Uint8Array([50, ...tail]), new Uint8Array([61, ...tail])]) {
        try {
          if (p[0] === 50) decodeUserauthRequest(p);
          else decodeInfoResponse(p);
        } catch (e) {
          assert.ok(e instanceof SshError, `untyped error ${String(e)}`);
        }
      }
    }),
  );
});

test('arbitrary request fields round-trip', () => {
  fc.assert(
    fc.property(
      fc.string({ maxLength: 40 }).filter((s) => !s.includes('\0')),
      fc.string({ maxLength: 40 }),
      fc.uint8Array({ maxLength: 64 }),
      (user, password, blob) => {
        const p = decodeUserauthRequest(passwordRequest(user, password));
        assert.equal(p.user, user);
        assert.ok(p.kind === 'password');
        const q = decodeUserauthRequest(publickeyQuery(user, 'ecdsa-sha2-nistp256', blob));
        assert.ok(q.kind === 'publickey');
        assert.deepEqual([...q.blob], [...blob]);
      },
    ),
  );
});
