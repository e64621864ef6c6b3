/**
 * Host certificates from Debian's sshd (HostCertificate) checked by Keyway through known_hosts
 * `@cert-authority` lines, with no plain host key recorded: ed25519, ECDSA and RSA certificates
 * are accepted; a wrong principal, an expired certificate, another CA, an `@revoked` CA and an
 * `@revoked` host key are each refused with a HostCertificateError naming that check.
 * `keyway ssh` asks for the certificate algorithms by itself when known_hosts has a CA for
 * the host, and without one falls back to the plain key.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { startOpenSsh, type RunningServer } from './harness/index.js';
import { connect } from '../../core/client/connect.js';
import { hostKeyVerifier } from '../../core/hosts/index.js';
import { HostCertificateError } from '../../core/errors.js';
import { runKeyway } from '../support/keyway-bin.js';
import { batchSshOptions } from '../support/batch-ssh.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';
import { makeKey, publicLine, signKey, type SignOptions } from '../support/openssh-certs.js';

let tmp: TempDir;
let hostCa = '';
let otherCa = '';
let userKey = '';
const servers: RunningServer[] = [];
let good: RunningServer;
let wrongPrincipal: RunningServer;
let expired: RunningServer;
const hostKeys: Record<string, string> = {};

/** An sshd whose host keys (one per type) carry certificates made with `o`. */
async function certServer(name: string, o: SignOptions): Promise<RunningServer> {
  const lines: string[] = [];
  for (const type of ['ed25519', 'ecdsa256', 'rsa'] as const) {
    const key = makeKey(tmp.path(`${name}_host_${type}`), type);
    hostKeys[`${name}/${type}`] = key;
    const cert = signKey(hostCa, `${key}.pub`, { host: true, id: `${name}-${type}`, ...o });
    lines.push(`HostKey ${key}`, `HostCertificate ${cert}`);
  }
  const s = await startOpenSsh({
    extraConfig: lines,
    hostKeyTypes: ['ecdsa521'],
    authorizedKeys: [publicLine(`${userKey}.pub`)],
  });
  servers.push(s);
  return s;
}

before(async () => {
  tmp = tempDir('hostcert');
  hostCa = makeKey(tmp.path('host_ca'), 'ed25519');
  otherCa = makeKey(tmp.path('other_ca'), 'ecdsa256');
  userKey = makeKey(tmp.path('id_user'), 'ed25519');
  good = await certServer('good', { principals: ['127.0.0.1', 'localhost'] });
  wrongPrincipal = await certServer('wrongp', { principals: ['server.example.org'] });
  expired = await certServer('expired', {
    principals: ['127.0.0.1'],
    validity: '20200101:20200201',
  });
});

after(async () => {
  for (const s of servers) await s.stop();
  tmp?.cleanup();
});

function knownHosts(name: string, lines: string[]): string {
  const path = tmp.path(`known_hosts_${name}`);
  writeFileSync(path, lines.map((l) => `${l}\n`).join(''));
  return path;
}

const caLine = (ca: string, pattern = '[127.0.0.1]:*') =>
  `@cert-authority ${pattern} ${publicLine(`${ca}.pub`)}`;

async function login(server: RunningServer, knownHostsFile: string, hostKey: string) {
  const c = await connect({
    host: '127.0.0.1',
    port: server.port,
    username: 'root',
    agentPath: null,
    identityFiles: [userKey],
    verifyHostKey: hostKeyVerifier({
      host: '127.0.0.1',
      port: server.port,
      strict: 'yes',
      knownHostsFiles: [knownHostsFile],
    }),
    algorithms: { hostKey },
  });
  const presented = c.transport.hostKey;
  c.close();
  return presented;
}

for (const [type, alg] of [
  ['ed25519', 'ssh-ed25519-cert-v01@openssh.com'],
  ['ecdsa256', 'ecdsa-sha2-nistp256-cert-v01@openssh.com'],
  ['rsa', 'rsa-sha2-512-cert-v01@openssh.com'],
  ['rsa', 'rsa-sha2-256-cert-v01@openssh.com'],
] as const) {
  test(`a ${alg} host certificate is accepted through @cert-authority alone`, async () => {
    const kh = knownHosts('ok', ['# no plain key for the host', caLine(hostCa)]);
    const presented = await login(good, kh, alg);
    assert.equal(presented?.certificate?.keyId, `good-${type}`);
    assert.equal(presented?.certificate?.certType, 'host');
  });
}

async function refusedWith(
  server: RunningServer,
  lines: string[],
  check: string,
  pattern: RegExp,
): Promise<void> {
  await assert.rejects(
    login(server, knownHosts(check, lines), 'ssh-ed25519-cert-v01@openssh.com'),
    (e) => {
      assert.ok(e instanceof HostCertificateError, String(e));
      assert.equal(e.check, check);
      assert.match(e.message, pattern);
      return true;
    },
  );
}

test('a certificate for another principal is refused: principal', async () => {
  await refusedWith(wrongPrincipal, [caLine(hostCa)], 'principal', /server\.example\.org/);
});

test('an expired certificate is refused: expired', async () => {
  await refusedWith(expired, [caLine(hostCa)], 'expired', /expired at 2020-02-01/);
});

test('a certificate from a CA that known_hosts does not list for the host: ca', async () => {
  await refusedWith(good, [caLine(otherCa)], 'ca', /no @cert-authority line/);
  // the right CA, but for other hosts only: no CA for this host, and no plain key either
  await assert.rejects(
    login(
      good,
      knownHosts('elsewhere', [caLine(hostCa, 'other.example.org')]),
      'ssh-ed25519-cert-v01@openssh.com',
    ),
    /no ssh-ed25519 host key is known/,
  );
});

test('an @revoked CA and an @revoked host key are refused: revoked-ca, revoked-key', async () => {
  const ca = caLine(hostCa);
  await refusedWith(
    good,
    [ca, `@revoked * ${publicLine(`${hostCa}.pub`)}`],
    'revoked-ca',
    /revoked/,
  );
  const hostPub = publicLine(`${hostKeys['good/ed25519'] ?? ''}.pub`);
  await refusedWith(good, [ca, `@revoked * ${hostPub}`], 'revoked-key', /revoked/);
});

test('keyway ssh asks for certificate algorithms when known_hosts has a CA for the host', async () => {
  const ssh = (server: RunningServer, kh: string) =>
    runKeyway([
      'ssh',
      ...batchSshOptions(server.port, kh, 'yes'),
      '-i',
      userKey,
      'root@127.0.0.1',
      'echo in',
    ]);
  const withCa = await ssh(good, knownHosts('cli', [caLine(hostCa)]));
  assert.equal(withCa.code, 0, withCa.err);
  assert.equal(withCa.out, 'in\n');
  // no CA: the plain key is what is checked, and it is known here
  const plain = publicLine(`${hostKeys['good/ed25519'] ?? ''}.pub`);
  const withKey = await ssh(good, knownHosts('cli-plain', [`[127.0.0.1]:${good.port} ${plain}`]));
  assert.equal(withKey.code, 0, withKey.err);
  // a refused certificate says why
  const bad = await ssh(expired, knownHosts('cli-bad', [caLine(hostCa)]));
  assert.notEqual(bad.code, 0);
  assert.match(bad.err, /Host certificate for \[127\.0\.0\.1\]:\d+ refused: certificate expired/);
});
