/**
 * Known-answer test from a transcript recorded against OpenSSH 9.2 (test/fixtures/
 * record-openssh-transcript.ts): with the recorded client secret, Keyway's exchange hash must
 * be the one the server signed, and Keyway's key derivation and AES-GCM must decrypt the
 * server's first encrypted packet. If any of H, the mpint encoding of K, key derivation, the
 * GCM nonce or the packet framing differed from OpenSSH's, this fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { VersionParser } from '../../../core/transport/version.js';
import { PacketReader } from '../../../core/transport/packet-codec.js';
import { exchangeHash, makeNewKeys } from '../../../core/transport/exchange-hash.js';
import { decodeKexInit, negotiate } from '../../../core/transport/kexinit.js';
import { decodeExtInfo, serverSigAlgs } from '../../../core/transport/ext-info.js';
import { curve25519Method } from '../../../core/crypto/kex/index.js';
import { nobleX25519, nodeX25519, type X25519Backend } from '../../../core/crypto/kex/x25519.js';
import { parsePublicKey } from '../../../core/crypto/hostkey/index.js';
import { fingerprintSha256 } from '../../../core/crypto/fingerprint.js';
import { cipherInfo } from '../../../core/crypto/cipher/index.js';
import { SshReader } from '../../../core/wire/reader.js';
import { Msg } from '../../../core/wire/messages.js';
import { fromHex } from '../../../core/wire/bytes.js';

interface Transcript {
  serverVersion: string;
  clientVersion: string;
  clientKexInit: string;
  clientSecret: string;
  serverStream: string;
}

const fixture = fileURLToPath(
  new URL('../../fixtures/openssh-9.2-curve25519.json', import.meta.url),
);
const t = JSON.parse(readFileSync(fixture, 'utf8')) as Transcript;

for (const backend of [nodeX25519, nobleX25519] as X25519Backend[]) {
  test(`OpenSSH 9.2 transcript: H verifies and EXT_INFO decrypts (${backend.name} X25519)`, () => {
    const stream = fromHex(t.serverStream);
    const v = new VersionParser(true).push(stream);
    assert.ok(v.done);
    assert.match(v.version, /^SSH-2\.0-OpenSSH_9\.2/);
    const reader = new PacketReader();
    reader.push(v.rest.slice());

    const serverKexInit = reader.next()?.payload.slice();
    assert.equal(serverKexInit?.[0], Msg.KEXINIT);
    const clientKexInit = fromHex(t.clientKexInit);
    const neg = negotiate(
      decodeKexInit(clientKexInit),
      decodeKexInit(serverKexInit),
      (c) => cipherInfo(c)?.aead ?? false,
    );
    assert.equal(neg.kex, 'curve25519-sha256');
    assert.equal(neg.cipherStoC, 'aes128-gcm@openssh.com');

    const reply = new SshReader(reader.next()?.payload ?? new Uint8Array(), 'reply');
    assert.equal(reply.readByte(), Msg.KEX_ECDH_REPLY);
    const hostKeyBlob = reply.readString().slice();
    const serverPublic = reply.readString().slice();
    const signature = reply.readString().slice();
    reply.expectEnd();

    const secret = fromHex(t.clientSecret);
    const session = curve25519Method('curve25519-sha256', {
      ...backend,
      generate: () => backend.fromSecret(secret.slice()),
    }).createClient();
    const clientPublic = session.clientPublic.slice();
    const k = session.computeSecret(serverPublic);
    const h = exchangeHash(
      'sha256',
      {
        clientVersion: t.clientVersion,
        serverVersion: v.version,
        clientKexInit,
        serverKexInit,
        hostKeyBlob,
      },
      clientPublic,
      serverPublic,
      k,
    );
    const key = parsePublicKey(hostKeyBlob);
    assert.equal(key.type, 'ssh-ed25519');
    assert.ok(fingerprintSha256(key.blob).startsWith('SHA256:'));
    assert.equal(
      key.verify('ssh-ed25519', signature, h),
      true,
      'OpenSSH signed a different exchange hash',
    );

    assert.deepEqual(reader.next()?.payload, new Uint8Array([Msg.NEWKEYS]));
    const keys = makeNewKeys('client', 'sha256', k, h, h, neg);
    reader.setOpener(keys.inbound);
    reader.seq = 0; // strict KEX
    const ext = reader.next();
    assert.ok(ext, 'the encrypted EXT_INFO is in the transcript');
    assert.equal(ext.payload[0], Msg.EXT_INFO);
    const sigAlgs = serverSigAlgs(decodeExtInfo(ext.payload));
    assert.ok(
      sigAlgs.includes('ssh-ed25519') && sigAlgs.includes('rsa-sha2-512'),
      sigAlgs.join(','),
    );
  });
}
