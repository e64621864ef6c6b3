// User certificates at the bundled sshd. trusted-ca.ts: the CA must be trusted, the user a
// principal; critical options are honoured or refuse the certificate as OpenSSH's sshd does,
// and extensions grant what they name and nothing else. authorized-ca.ts: cert-authority
// lines of authorized_keys, with principals= or the user name, the line's expiry-time and
// from=, and the line's and the certificate's restrictions merged as sshd merges them.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  generateHostKeyPair,
  optionString,
  type CertificateFields,
  type HostKeyPair,
} from '../../../core/crypto/hostkey/index.js';
import { flag, makeCertificate } from '../../support/cert-fields.js';
import { authorizeCertificate, type TrustedCaKeys } from '../../../core/server/trusted-ca.js';
import { authorizeCertificateByKeys } from '../../../core/server/authorized-ca.js';
import { parseAuthorizedKeys } from '../../../core/server/authorized-keys.js';

let ca: HostKeyPair;
let user: HostKeyPair;
let trusted: TrustedCaKeys;
let lineCa: HostKeyPair;
before(() => {
  lineCa = generateHostKeyPair('ecdsa-sha2-nistp256');
  ca = generateHostKeyPair('ssh-ed25519');
  user = generateHostKeyPair('ssh-ed25519');
  trusted = { blobs: [ca.publicKey.blob], problems: [] };
});

function cert(over: Partial<CertificateFields> = {}, signer = () => ca): Uint8Array {
  return makeCertificate(signer(), user.publicKey.blob, {
    serial: 7n,
    extensions: [flag('permit-pty')],
    ...over,
  });
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

// ---- authorized_keys cert-authority lines ----

function lineCert(over: Partial<CertificateFields> = {}): Uint8Array {
  return makeCertificate(lineCa, user.publicKey.blob, {
    principals: ['alice', 'deploy'],
    extensions: [flag('permit-port-forwarding'), flag('permit-pty')],
    ...over,
  });
}

const caLine = (options: string) =>
  `${options} ecdsa-sha2-nistp256 ${Buffer.from(lineCa.publicKey.blob).toString('base64')}`;
const entries = (...lines: string[]) => parseAuthorizedKeys(lines.join('\n') + '\n').entries;
const far = { address: '192.0.2.7', now: Date.now() };

test('a cert-authority line vouches for a certificate naming the user; the line limits it further', () => {
  const r = authorizeCertificateByKeys(
    entries(caLine('cert-authority,no-pty')),
    lineCert(),
    'alice',
    far,
  );
  assert.equal(r.kind, 'authorized');
  if (r.kind !== 'authorized') return;
  assert.equal(r.restrictions.pty, false, 'the line says no-pty');
  assert.equal(r.restrictions.portForwarding, true, 'both grant it');
  assert.equal(r.restrictions.agentForwarding, false, 'the certificate does not grant it');
  // the CA's key on a line without cert-authority vouches for nothing
  const plain = authorizeCertificateByKeys(entries(caLine('').trim()), lineCert(), 'alice', far);
  assert.match(
    plain.kind === 'refused' ? plain.message : '',
    /no cert-authority line lists its CA/,
  );
});

test('principals= replaces the user name check', () => {
  const line = entries(caLine('cert-authority,principals="deploy,ops"'));
  assert.equal(authorizeCertificateByKeys(line, lineCert(), 'root', far).kind, 'authorized');
  const r = authorizeCertificateByKeys(line, lineCert({ principals: ['alice'] }), 'alice', far);
  assert.match(r.kind === 'refused' ? r.message : '', /none of principals="deploy,ops"/);
  const noName = authorizeCertificateByKeys(
    entries(caLine('cert-authority')),
    lineCert(),
    'bob',
    far,
  );
  assert.match(noName.kind === 'refused' ? noName.message : '', /"bob" is not a listed principal/);
});

test('from=, expiry-time and conflicting forced commands refuse; the next line may still vouch', () => {
  const lines = entries(
    caLine('cert-authority,from="10.0.0.0/8"'),
    caLine('cert-authority,expiry-time="20200101"'),
    caLine('cert-authority,command="echo line"'),
  );
  const forced = lineCert({
    criticalOptions: [{ name: 'force-command', data: optionString('echo cert') }],
  });
  const r = authorizeCertificateByKeys(lines, forced, 'alice', far);
  assert.equal(r.kind, 'refused');
  const message = r.kind === 'refused' ? r.message : '';
  assert.match(message, /:1: 192\.0\.2\.7 is not permitted by from="10\.0\.0\.0\/8"/);
  assert.match(message, /:2: the line expired/);
  assert.match(message, /:3: forced command options do not match/);
  const same = authorizeCertificateByKeys(
    entries(caLine('cert-authority,command="echo cert"')),
    forced,
    'alice',
    far,
  );
  assert.equal(same.kind === 'authorized' ? same.restrictions.command : '', 'echo cert');
  const lineOnly = authorizeCertificateByKeys(lines, lineCert(), 'alice', far);
  assert.equal(lineOnly.kind === 'authorized' ? lineOnly.restrictions.command : '', 'echo line');
});
