// User certificates at the bundled sshd (trusted-ca.ts): the CA must be trusted, the user a
// principal; critical options are honoured or refuse the certificate as OpenSSH's sshd does,
// and extensions grant what they name and nothing else.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CERT_FOREVER,
  encodeCertificate,
  generateHostKeyPair,
  optionString,
  type CertificateFields,
  type HostKeyPair,
} from '../../../core/crypto/hostkey/index.js';
import { authorizeCertificate, type TrustedCaKeys } from '../../../core/server/trusted-ca.js';

let ca: HostKeyPair;
let user: HostKeyPair;
let trusted: TrustedCaKeys;
before(() => {
  ca = generateHostKeyPair('ssh-ed25519');
  user = generateHostKeyPair('ssh-ed25519');
  trusted = { blobs: [ca.publicKey.blob], problems: [] };
});

function cert(over: Partial<CertificateFields> = {}, signer = () => ca): Uint8Array {
  const f: CertificateFields = {
    key: user.publicKey.blob,
    nonce: new Uint8Array(32),
    serial: 7n,
    certType: 'user',
    keyId: 'unit',
    principals: ['alice'],
    validAfter: 0n,
    validBefore: CERT_FOREVER,
    criticalOptions: [],
    extensions: [{ name: 'permit-pty', data: new Uint8Array(0) }],
    signatureKey: signer().publicKey.blob,
    ...over,
  };
  return encodeCertificate(f, (d) => signer().sign('ssh-ed25519', d));
}

const ctx = { address: '127.0.0.1', now: Date.now() };
const opt = (name: string, value: string) => ({ name, data: optionString(value) });

function refusedWith(blob: Uint8Array, pattern: RegExp, user = 'alice'): void {
  const r = authorizeCertificate(trusted, blob, user, ctx);
  assert.equal(r.kind, 'refused');
  assert.match(r.kind === 'refused' ? r.message : '', pattern);
}

test('a trusted certificate for the user logs in; extensions grant only what they name', () => {
  const r = authorizeCertificate(trusted, cert(), 'alice', ctx);
  assert.equal(r.kind, 'authorized');
  if (r.kind !== 'authorized') return;
  assert.equal(r.keyId, 'unit');
  assert.equal(r.restrictions.pty, true);
  assert.equal(r.restrictions.portForwarding, false);
  assert.equal(r.restrictions.agentForwarding, false);
  assert.equal(r.restrictions.command, undefined);
});

test('an untrusted CA, another user, a host certificate are refused', () => {
  const other = generateHostKeyPair('ssh-ed25519');
  refusedWith(
    cert({}, () => other),
    /is not trusted/,
  );
  refusedWith(cert(), /"bob" is not a listed principal/, 'bob');
  refusedWith(cert({ certType: 'host' }), /not a user certificate/);
  refusedWith(user.publicKey.blob, /not a certificate/);
  refusedWith(new Uint8Array([0, 0, 0, 3, 1, 2]), /unusable certificate/);
});

test('critical options: force-command, source-address; unknown and repeated ones refuse', () => {
  const forced = authorizeCertificate(
    trusted,
    cert({ criticalOptions: [opt('force-command', '/bin/date')] }),
    'alice',
    ctx,
  );
  assert.equal(forced.kind === 'authorized' ? forced.restrictions.command : '', '/bin/date');
  const here = cert({ criticalOptions: [opt('source-address', '10.0.0.0/8,127.0.0.1/32')] });
  assert.equal(authorizeCertificate(trusted, here, 'alice', ctx).kind, 'authorized');
  refusedWith(cert({ criticalOptions: [opt('source-address', '10.0.0.0/8')] }), /not permitted/);
  refusedWith(
    cert({ criticalOptions: [opt('source-address', '10.0.0.0/99')] }),
    /invalid source-address/,
  );
  refusedWith(
    cert({ criticalOptions: [opt('verify-required', '')] }),
    /unsupported critical option "verify-required"/,
  );
  refusedWith(
    cert({ criticalOptions: [opt('force-command', 'a'), opt('force-command', 'b')] }),
    /given twice/,
  );
});
