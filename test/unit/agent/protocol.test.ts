// Agent message codecs and the reply framer (draft-ietf-sshm-ssh-agent §3–§4): hex layouts,
// chunking, bounds, and arbitrary bytes never escaping as anything but AgentError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeIdentitiesAnswer,
  decodeSignResponse,
  encodeRequestIdentities,
  encodeSignRequest,
  ReplyFramer,
} from '../../../core/agent/protocol.js';
import { agentSignFlags } from '../../../core/agent/signer.js';
import { AgentError } from '../../../core/errors.js';
import { generateHostKeyPair } from '../../../core/crypto/hostkey/index.js';
import { SshWriter } from '../../../core/wire/writer.js';
import { toHex } from '../../../core/wire/bytes.js';

const isAgentError =
  (kind?: string) =>
  (e: unknown): boolean => {
    assert.ok(e instanceof AgentError, `expected AgentError, got ${String(e)}`);
    if (kind !== undefined) assert.equal(e.kind, kind, e.message);
    return true;
  };

test('request encodings', () => {
  assert.equal(toHex(encodeRequestIdentities()), '000000010b');
  const req = encodeSignRequest(Uint8Array.of(1, 2), Uint8Array.of(3), 4);
  // length 16 ‖ 13 ‖ string(01 02) ‖ string(03) ‖ uint32 4
  assert.equal(toHex(req), '00000010' + '0d' + '000000020102' + '0000000103' + '00000004');
});

test('RSA signature algorithms map to the agent flags', () => {
  assert.equal(agentSignFlags('rsa-sha2-512'), 4);
  assert.equal(agentSignFlags('rsa-sha2-256'), 2);
  assert.equal(agentSignFlags('ssh-rsa'), 0);
  assert.equal(agentSignFlags('ssh-ed25519'), 0);
});

function answer(
  entries: { blob: Uint8Array; comment: string }[],
  count = entries.length,
): Uint8Array {
  const w = new SshWriter().writeByte(12).writeUint32(count);
  for (const e of entries) w.writeString(e.blob).writeString(e.comment);
  return w.toBytes();
}

test('identities answer: supported keys parsed, others kept and marked', () => {
  const ed = generateHostKeyPair('ssh-ed25519').publicKey.blob;
  const sk = new SshWriter()
    .writeString('sk-ssh-ed25519@openssh.com')
    .writeString(new Uint8Array(32))
    .writeString('ssh:')
    .toBytes();
  const keys = decodeIdentitiesAnswer(
    answer([
      { blob: ed, comment: 'me@host ünïcode' },
      { blob: sk, comment: 'token' },
      { blob: Uint8Array.of(0xff), comment: '' },
    ]),
  );
  assert.equal(keys.length, 3);
  assert.equal(keys[0]?.type, 'ssh-ed25519');
  assert.equal(keys[0]?.comment, 'me@host ünïcode');
  assert.ok(keys[0]?.publicKey);
  assert.equal(keys[1]?.type, 'sk-ssh-ed25519@openssh.com');
  assert.equal(keys[1]?.publicKey, undefined);
  assert.match(keys[1]?.unsupported ?? '', /unsupported public key type/);
  assert.equal(keys[2]?.type, '');
  assert.equal(keys[2]?.publicKey, undefined);
});

test('identities answer: FAILURE, wrong type, truncation, trailing bytes, too many keys', () => {
  assert.throws(() => decodeIdentitiesAnswer(Uint8Array.of(5)), isAgentError('refused'));
  assert.throws(() => decodeIdentitiesAnswer(Uint8Array.of(30)), isAgentError('refused'));
  assert.throws(
    () => decodeIdentitiesAnswer(Uint8Array.of(14, 0, 0, 0, 0)),
    isAgentError('protocol'),
  );
  assert.throws(() => decodeIdentitiesAnswer(Uint8Array.of(12, 0, 0)), isAgentError('protocol'));
  assert.throws(() => decodeIdentitiesAnswer(answer([], 1)), isAgentError('protocol'));
  const trailing = new Uint8Array([...answer([]), 0]);
  assert.throws(() => decodeIdentitiesAnswer(trailing), isAgentError('protocol'));
  // A huge count is refused before anything is read or allocated for it.
  assert.throws(() => decodeIdentitiesAnswer(answer([], 0xffffffff)), isAgentError('protocol'));
  assert.throws(() => decodeIdentitiesAnswer(answer([], 2049)), /more than the limit of 2048/);
  assert.throws(() => decodeIdentitiesAnswer(Uint8Array.of()), isAgentError('protocol'));
});

test('sign response', () => {
  const sig = new SshWriter().writeString('ssh-ed25519').writeString(new Uint8Array(64)).toBytes();
  const payload = new SshWriter().writeByte(14).writeString(sig).toBytes();
  assert.deepEqual(decodeSignResponse(payload), sig);
  assert.throws(() => decodeSignResponse(Uint8Array.of(5)), isAgentError('refused'));
  assert.throws(
    () => decodeSignResponse(Uint8Array.of(14, 0, 0, 0, 9, 1)),
    isAgentError('protocol'),
  );
  assert.throws(
    () => decodeSignResponse(new Uint8Array([...payload, 1])),
    isAgentError('protocol'),
  );
});

test('framer: replies reassembled from any chunking', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 1, maxLength: 300 }),
      fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 20 }),
      (payload, cuts) => {
        const bytes = new SshWriter().writeUint32(payload.length).writeBytes(payload).toBytes();
        const f = new ReplyFramer();
        let got: Uint8Array | undefined;
        let at = 0;
        for (const c of [...cuts, bytes.length]) {
          if (at >= bytes.length) break;
          const piece = bytes.subarray(at, Math.min(bytes.length, at + c));
          at += piece.length;
          const r = f.push(piece);
          if (r) {
            assert.equal(got, undefined);
            got = r;
          }
        }
        assert.deepEqual(got, payload);
        assert.equal(f.pending, 0);
      },
    ),
  );
});

test('framer: an oversized or empty length is refused as soon as it is seen', () => {
  const f = new ReplyFramer(1024);
  assert.throws(() => f.push(Uint8Array.of(0, 0, 4, 1)), /exceeds the 1024-byte limit/);
  assert.throws(
    () => new ReplyFramer().push(Uint8Array.of(0xff, 0xff, 0xff, 0xff)),
    isAgentError('protocol'),
  );
  assert.throws(() => new ReplyFramer().push(Uint8Array.of(0, 0, 0, 0)), /empty reply/);
  const g = new ReplyFramer();
  assert.equal(g.push(Uint8Array.of(0, 0)), undefined);
  assert.equal(g.push(Uint8Array.of(0, 1)), undefined);
  assert.deepEqual(g.push(Uint8Array.of(5, 9)), Uint8Array.of(5));
  assert.equal(g.pending, 1);
});

test('arbitrary replies decode or throw AgentError, nothing else', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, asIdentities) => {
      const payload = asIdentities && bytes.length > 0 ? Uint8Array.of(12, ...bytes) : bytes;
      try {
        if (asIdentities) decodeIdentitiesAnswer(payload);
        else decodeSignResponse(payload);
      } catch (e) {
        assert.ok(e instanceof AgentError, String(e));
      }
    }),
  );
});
