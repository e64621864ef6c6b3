/**
 * User certificates against Debian's sshd (TrustedUserCAKeys, no authorized_keys line for the
 * keys): connect() logs in with ed25519, ECDSA and RSA certificates found as `<key>-cert.pub`
 * next to the key or held by ssh-agent, `keyway ssh -o CertificateFile=…` logs in with a certificate kept
 * elsewhere, and certificates with the wrong principal or out of their validity window are
 * refused by the server.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { renameSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { startAgent, startOpenSsh, type RunningServer } from './harness/index.js';
import { connect } from '../../core/client/connect.js';
import { AuthError } from '../../core/auth/errors.js';
import { collect } from '../support/session-output.js';
import { runKeyway } from '../support/keyway-bin.js';
import { batchSshOptions } from '../support/batch-ssh.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';
import { makeKey, signKey, type KeygenType } from '../support/openssh-certs.js';
import { logged } from '../support/wait.js';

let tmp: TempDir;
let server: RunningServer;
let ca = '';

before(async () => {
  tmp = tempDir('usercert');
  ca = makeKey(tmp.path('user_ca'), 'ed25519');
  server = await startOpenSsh({
    extraConfig: [`TrustedUserCAKeys ${ca}.pub`],
    hostKeyTypes: ['ed25519'],
  });
});

after(async () => {
  await server?.stop();
  tmp?.cleanup();
});

/** root on the test server, any host key, and no agent unless one is given. */
function base(agentPath: string | null = null) {
  return {
    host: '127.0.0.1',
    port: server.port,
    username: 'root',
    agentPath,
    verifyHostKey: () => true,
  };
}

async function whoami(identity: string, certificateFiles?: string[]): Promise<string> {
  const c = await connect({
    ...base(),
    identityFiles: [identity],
    identityFilesExplicit: true,
    identitiesOnly: true,
    ...(certificateFiles ? { certificateFiles } : {}),
    allow: { password: false, keyboardInteractive: false },
  });
  try {
    assert.equal(c.authMethod, 'publickey');
    const s = await c.openSession();
    await s.exec('echo "$SSH_USER_AUTH" ; id -un');
    return (await collect(s)).out;
  } finally {
    c.close();
  }
}

for (const type of ['ed25519', 'ecdsa256', 'ecdsa384', 'rsa'] as const satisfies KeygenType[]) {
  test(`a ${type} user certificate next to its key logs in (no authorized_keys line)`, async () => {
    const key = makeKey(tmp.path(`id_${type}`), type);
    signKey(ca, `${key}.pub`, { principals: ['root'], validity: '-5m:+1h', id: `cert-${type}` });
    const out = await whoami(key);
    assert.match(out, /root\n$/);
    const kind =
      type === 'rsa' ? 'RSA-CERT' : type.startsWith('ecdsa') ? 'ECDSA-CERT' : 'ED25519-CERT';
    const line = new RegExp(`Accepted publickey for root .*${kind} .*ID cert-${type}`);
    // sshd's log reaches us on its own pipe, maybe after the command has ended
    await logged(() => server.log(), line);
  });
}

test('without its certificate the same key is refused (the CA is what lets it in)', async () => {
  const key = makeKey(tmp.path('id_plain'), 'ed25519');
  await assert.rejects(whoami(key), AuthError);
});

test('a wrong principal and an expired certificate are refused by sshd', async () => {
  const wrong = makeKey(tmp.path('id_wrong'), 'ed25519');
  signKey(ca, `${wrong}.pub`, { principals: ['somebody-else'] });
  await assert.rejects(whoami(wrong), AuthError);
  await logged(() => server.log(), /name is not a listed principal/);
  const old = makeKey(tmp.path('id_old'), 'ecdsa256');
  signKey(ca, `${old}.pub`, { principals: ['root'], validity: '20200101:20200201' });
  await assert.rejects(whoami(old), AuthError);
  await logged(() => server.log(), /Certificate invalid: expired/);
});

test('keyway ssh -o CertificateFile= uses a certificate kept elsewhere, with its key', async () => {
  const key = makeKey(tmp.path('id_cf'), 'rsa');
  const made = signKey(ca, `${key}.pub`, { principals: ['root'], id: 'from-certificate-file' });
  const elsewhere = tmp.path('elsewhere-cert.pub');
  renameSync(made, elsewhere);
  const args = ['ssh', ...batchSshOptions(server.port, tmp.path('known_hosts')), '-i', key];
  const without = await runKeyway([...args, 'root@127.0.0.1', 'id -un']);
  assert.notEqual(without.code, 0, 'the plain key alone is not authorized');
  const r = await runKeyway([
    ...args,
    '-o',
    `CertificateFile=${elsewhere}`,
    'root@127.0.0.1',
    'id -un',
  ]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'root\n');
  await logged(() => server.log(), /RSA-CERT.*ID from-certificate-file/);
});

test('a certificate held by ssh-agent (ssh-add adds it with its key) logs in', async () => {
  const agentDir = tempDir('usercert-agent');
  const agent = await startAgent(agentDir.dir);
  try {
    const key = makeKey(tmp.path('id_agent'), 'ecdsa256');
    signKey(ca, `${key}.pub`, { principals: ['root'], id: 'agent-held' });
    execFileSync('ssh-add', ['-q', key], {
      env: { ...process.env, SSH_AUTH_SOCK: agent.sock },
      stdio: 'ignore',
    });
    const c = await connect({
      ...base(agent.sock),
      identityFiles: [],
      allow: { password: false, keyboardInteractive: false },
    });
    c.close();
    await logged(() => server.log(), /ECDSA-CERT.*ID agent-held/);
  } finally {
    await agent.stop();
    agentDir.cleanup();
  }
});

test('a <key>-cert.pub whose private key only the agent holds is signed through the agent', async () => {
  const agentDir = tempDir('usercert-agent2');
  const agent = await startAgent(agentDir.dir);
  try {
    const key = makeKey(tmp.path('id_agent_only'), 'rsa');
    execFileSync('ssh-add', ['-q', key], {
      env: { ...process.env, SSH_AUTH_SOCK: agent.sock },
      stdio: 'ignore',
    });
    rmSync(key); // the .pub and the certificate stay; the private key is in the agent only
    signKey(ca, `${key}.pub`, { principals: ['root'], id: 'agent-signs-file-cert' });
    const c = await connect({
      ...base(agent.sock),
      identityFiles: [key],
      identityFilesExplicit: true,
      identitiesOnly: true,
      allow: { password: false, keyboardInteractive: false },
    });
    c.close();
    await logged(() => server.log(), /RSA-CERT.*ID agent-signs-file-cert/);
  } finally {
    await agent.stop();
    agentDir.cleanup();
  }
});
