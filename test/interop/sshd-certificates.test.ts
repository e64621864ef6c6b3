/**
 * Certificates at `keyway sshd`, with OpenSSH's ssh as the client: the host certificate given
 * with --host-certificate is verified by ssh through `@cert-authority` alone, and user
 * certificates signed by a CA in --trusted-user-ca-keys log in with an empty authorized_keys.
 * A wrong principal, an expired certificate and another CA are refused; force-command,
 * source-address and a certificate without permit-pty are honoured as sshd honours them.
 * A `cert-authority,principals=` line in authorized_keys vouches for certificates too.
 * Keyway's own client does both sides too (RSA user certificate, host certificate).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { runKeyway } from '../support/keyway-bin.js';
import { batchSshOptions } from '../support/batch-ssh.js';
import { userInfo } from 'node:os';
import { startKeywaySshd, type KeywaySshd } from '../support/keyway-sshd.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';
import { makeKey, publicLine, signKey, type SignOptions } from '../support/openssh-certs.js';

const me = userInfo().username;
let tmp: TempDir;
let server: KeywaySshd;
let userCa = '';
let otherCa = '';
let lineCa = '';
let knownHosts = '';

before(async () => {
  tmp = tempDir('sshd-certs');
  userCa = makeKey(tmp.path('user_ca'), 'ed25519');
  otherCa = makeKey(tmp.path('other_ca'), 'ed25519');
  lineCa = makeKey(tmp.path('line_ca'), 'rsa');
  const hostCa = makeKey(tmp.path('host_ca'), 'ecdsa256');
  const dataDir = tmp.path('data');
  mkdirSync(dataDir, { mode: 0o700 });
  const hostKey = makeKey(`${dataDir}/ssh_host_ed25519_key`, 'ed25519');
  const hostCert = signKey(hostCa, `${hostKey}.pub`, {
    host: true,
    principals: ['127.0.0.1', 'localhost'],
    id: 'keyway-sshd-host',
  });
  knownHosts = tmp.path('known_hosts');
  writeFileSync(knownHosts, `@cert-authority * ${publicLine(`${hostCa}.pub`)}\n`);
  server = await startKeywaySshd({
    dataDir,
    authorizedKeys: [
      `cert-authority,principals="deploy",command="echo via-authorized-keys" ${publicLine(`${lineCa}.pub`)}`,
    ],
    args: ['--trusted-user-ca-keys', `${userCa}.pub`, '--host-certificate', hostCert],
  });
});

after(async () => {
  await server?.stop();
  tmp?.cleanup();
});

function ssh(
  key: string,
  command: string,
  extra: readonly string[] = [],
): Promise<{ code: number; out: string; err: string }> {
  const args = [
    '-F',
    '/dev/null',
    '-p',
    String(server.port),
    '-i',
    key,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${knownHosts}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-v',
    ...extra,
    `${me}@127.0.0.1`,
    command,
  ];
  return new Promise((resolve) => {
    execFile(
      'ssh',
      args,
      { env: { ...process.env, SSH_AUTH_SOCK: '' }, timeout: 60_000 },
      (e, out, err) =>
        resolve({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, out, err }),
    );
  });
}

let n = 0;
function userCert(type: 'ed25519' | 'ecdsa256' | 'rsa', o: SignOptions, ca = userCa): string {
  const key = makeKey(tmp.path(`id_${type}_${n++}`), type);
  signKey(ca, `${key}.pub`, o);
  return key;
}

for (const type of ['ed25519', 'ecdsa256', 'rsa'] as const) {
  test(`OpenSSH ssh verifies the host certificate and logs in with a ${type} user certificate`, async () => {
    const key = userCert(type, { principals: [me], id: `ossh-${type}` });
    const r = await ssh(key, 'echo "in as $(id -un)"');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, `in as ${me}\n`);
    assert.match(
      r.err,
      /Server host certificate: ssh-ed25519-cert-v01@openssh.com .*ID "keyway-sshd-host"/,
    );
    assert.match(
      r.err,
      /Host '\[127\.0\.0\.1\]:\d+' is known and matches the ED25519-CERT host certificate/,
    );
    assert.match(r.err, /Authenticated to 127\.0\.0\.1 .* using "publickey"/);
    assert.match(server.err(), new RegExp(`certificate ID "ossh-${type}" accepted`));
  });
}

test('a wrong principal, an expired certificate and an untrusted CA are refused', async () => {
  const cases: [string, RegExp][] = [
    [userCert('ed25519', { principals: ['not-' + me] }), /is not a listed principal/],
    [
      userCert('ed25519', { principals: [me], validity: '20200101:20200201' }),
      /certificate expired/,
    ],
    [userCert('ed25519', { principals: [me] }, otherCa), /is not trusted/],
  ];
  for (const [key, why] of cases) {
    const r = await ssh(key, 'true');
    assert.notEqual(r.code, 0);
    assert.match(r.err, /Permission denied \(publickey\)/);
    assert.match(server.err(), why);
  }
});

test('critical options: force-command runs instead, source-address must admit the client', async () => {
  const forced = userCert('ecdsa256', { principals: [me], options: ['force-command=echo forced'] });
  const r = await ssh(forced, 'echo asked');
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'forced\n');
  const here = userCert('ed25519', {
    principals: [me],
    options: ['source-address=127.0.0.0/8,::1'],
  });
  assert.equal((await ssh(here, 'echo ok')).out, 'ok\n');
  const elsewhere = userCert('ed25519', {
    principals: [me],
    options: ['source-address=10.0.0.0/8'],
  });
  const refused = await ssh(elsewhere, 'echo ok');
  assert.notEqual(refused.code, 0);
  assert.match(server.err(), /is not permitted by source-address "10\.0\.0\.0\/8"/);
});

test('a certificate without permit-pty gets no pty', async () => {
  const bare = userCert('ed25519', { principals: [me], options: ['clear'] });
  const r = await ssh(bare, 'tty', ['-tt']);
  // the pty request is refused; ssh -tt treats that as fatal (exit 255), as against sshd
  assert.equal(r.code, 255);
  assert.match(r.err, /Authenticated to 127\.0\.0\.1/);
  assert.match(r.err, /PTY allocation request failed/);
  const withPty = await ssh(userCert('ed25519', { principals: [me] }), 'tty', ['-tt']);
  assert.equal(withPty.code, 0, withPty.err);
  // the pty carries stderr too: lines the user's ~/.bashrc prints may come first
  assert.match(withPty.out, /(^|\n)\/dev\/pts\//);
});

test('keyway ssh verifies the host certificate and logs in with an RSA user certificate', async () => {
  const key = userCert('rsa', { principals: [me], id: 'keyway-to-keyway' });
  const r = await runKeyway([
    'ssh',
    ...batchSshOptions(server.port, knownHosts, 'yes'),
    '-i',
    key,
    '-v',
    `${me}@127.0.0.1`,
    'echo ok',
  ]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'ok\n');
  assert.match(
    r.err,
    /debug1: Server host certificate: ssh-ed25519-cert-v01@openssh.com SHA256:\S+, serial 0 ID "keyway-sshd-host" CA ecdsa-sha2-nistp256 SHA256:\S+ valid forever/,
  );
  assert.match(server.err(), /certificate ID "keyway-to-keyway" accepted/);
});

test('a cert-authority line in authorized_keys: principals= decides, command= applies', async () => {
  const deploy = userCert('ecdsa256', { principals: ['deploy'], id: 'by-line' }, lineCa);
  const r = await ssh(deploy, 'echo asked');
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'via-authorized-keys\n');
  const mine = userCert('ed25519', { principals: [me] }, lineCa);
  const refused = await ssh(mine, 'true');
  assert.notEqual(refused.code, 0);
  assert.match(server.err(), /the certificate has none of principals="deploy"/);
});
