/**
 * Certificates against OpenSSH 10.0 (Debian trixie's sshd in the harness's chroot): keyway logs
 * in with ed25519 and RSA user certificates (TrustedUserCAKeys), and accepts the server's
 * ed25519, ECDSA and RSA host certificates through `@cert-authority` alone, refusing one for
 * another principal. The CA and host key files live in a work dir inside the root, where sshd
 * can read them.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startOpenSsh, type RunningServer } from './harness/index.js';
import { makeWorkdir, type Workdir } from './harness/roots.js';
import { connect } from '../../core/client/connect.js';
import { hostKeyVerifier } from '../../core/hosts/index.js';
import { HostCertificateError } from '../../core/errors.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';
import { makeKey, publicLine, signKey } from '../support/openssh-certs.js';
import { writeFileSync } from 'node:fs';
import { logged } from '../support/wait.js';

let wd: Workdir;
let tmp: TempDir;
let server: RunningServer;
let wrongName: RunningServer;
let userCa = '';
let hostCa = '';

async function serverWithHostCerts(principal: string): Promise<RunningServer> {
  const lines = [`TrustedUserCAKeys ${wd.toServer(`${userCa}.pub`)}`];
  for (const type of ['ed25519', 'ecdsa256', 'rsa'] as const) {
    const key = makeKey(wd.host(`host_${principal}_${type}`), type);
    const cert = signKey(hostCa, `${key}.pub`, { host: true, principals: [principal], id: type });
    lines.push(`HostKey ${wd.toServer(key)}`, `HostCertificate ${wd.toServer(cert)}`);
  }
  return startOpenSsh({ flavor: 'trixie', extraConfig: lines, hostKeyTypes: ['ecdsa521'] });
}

before(async () => {
  wd = await makeWorkdir('trixie', 'certs');
  tmp = tempDir('certs10');
  userCa = makeKey(wd.host('user_ca'), 'ed25519');
  hostCa = makeKey(wd.host('host_ca'), 'ecdsa384');
  server = await serverWithHostCerts('127.0.0.1');
  wrongName = await serverWithHostCerts('elsewhere.example');
});

after(async () => {
  await server?.stop();
  await wrongName?.stop();
  await wd?.remove();
  tmp?.cleanup();
});

async function login(s: RunningServer, identity: string, hostKey: string) {
  const kh = tmp.path('known_hosts');
  writeFileSync(kh, `@cert-authority * ${publicLine(`${hostCa}.pub`)}\n`);
  const c = await connect({
    host: '127.0.0.1',
    port: s.port,
    username: 'root',
    agentPath: null,
    identityFiles: [identity],
    identityFilesExplicit: true,
    identitiesOnly: true,
    verifyHostKey: hostKeyVerifier({
      host: '127.0.0.1',
      port: s.port,
      strict: 'yes',
      knownHostsFiles: [kh],
    }),
    algorithms: { hostKey },
  });
  const presented = c.transport.hostKey?.certificate;
  c.close();
  return presented;
}

for (const [keyType, hostAlg] of [
  ['ed25519', 'ssh-ed25519-cert-v01@openssh.com'],
  ['rsa', 'rsa-sha2-512-cert-v01@openssh.com'],
  ['ecdsa256', 'ecdsa-sha2-nistp256-cert-v01@openssh.com'],
] as const) {
  test(`OpenSSH 10.0: ${keyType} user certificate, ${hostAlg} host certificate`, async () => {
    const key = makeKey(tmp.path(`id_${keyType}`), keyType);
    signKey(userCa, `${key}.pub`, { principals: ['root'], id: `ossh10-${keyType}` });
    const host = await login(server, key, hostAlg);
    assert.equal(host?.certType, 'host');
    assert.deepEqual(host?.principals, ['127.0.0.1']);
    const accepted = new RegExp(`Accepted publickey for root .*ID ossh10-${keyType}`);
    // sshd's monitor may write the line just after the client has its success
    await logged(() => server.log(), accepted);
  });
}

test('OpenSSH 10.0: a host certificate for another principal is refused', async () => {
  const key = makeKey(tmp.path('id_wrong'), 'ed25519');
  signKey(userCa, `${key}.pub`, { principals: ['root'] });
  await assert.rejects(
    login(wrongName, key, 'ssh-ed25519-cert-v01@openssh.com'),
    (e) => e instanceof HostCertificateError && e.check === 'principal',
  );
});
