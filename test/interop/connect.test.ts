/**
 * connect() against OpenSSH's sshd: an encrypted key file (passphrase asked once, only for
 * the key the server takes), keys held only by a real ssh-agent, IdentitiesOnly, exec with
 * stdout, stderr and the exit status kept apart, and known_hosts: accept-new records the key,
 * strict checking then accepts it, a changed key stops the connection before any
 * authentication.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startAgent,
  startOpenSsh,
  type RunningAgent,
  type RunningServer,
} from './harness/index.js';
import { connect, type SshClient } from '../../core/client/connect.js';
import { hostKeyVerifier } from '../../core/hosts/index.js';
import { HostKeyError } from '../../core/errors.js';
import { AuthError } from '../../core/auth/errors.js';
import { collect } from '../support/session-output.js';
import { logged } from '../support/wait.js';

const ACCEPTED_RSA = /Accepted publickey for root .* RSA SHA256:/;

let dir = '';
let server: RunningServer;
let agent: RunningAgent;
const key = (name: string) => join(dir, name);

function keygen(name: string, type: string, passphrase = ''): string {
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', passphrase, '-C', name, '-f', key(name)]);
  return readFileSync(`${key(name)}.pub`, 'utf8').trim();
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyway-connect-'));
  const lines = [
    keygen('enc', 'ed25519', 'correct horse'),
    keygen('agentonly', 'ecdsa'),
    keygen('rsa', 'rsa'),
  ];
  keygen('notauthorized', 'ed25519');
  server = await startOpenSsh({ authorizedKeys: lines });
  agent = await startAgent(dir);
  execFileSync('ssh-add', ['-q', key('agentonly'), key('notauthorized')], {
    env: { ...process.env, SSH_AUTH_SOCK: agent.sock },
  });
});

after(async () => {
  await agent?.stop();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const base = () => ({
  host: '127.0.0.1',
  port: server.port,
  username: 'root',
  verifyHostKey: () => true,
  agentPath: null,
});

test('an encrypted key file: the passphrase is asked once, then exec keeps stdout, stderr and the exit status apart', async () => {
  const asked: string[] = [];
  const c: SshClient = await connect({
    ...base(),
    identityFiles: [key('notauthorized'), key('enc')],
    passphrase: async (p) => (asked.push(p.path), 'correct horse'),
  });
  try {
    assert.equal(c.authMethod, 'publickey');
    assert.deepEqual(asked, [key('enc')]);
    const s = await c.openSession();
    await s.exec('echo out; echo err >&2; exit 3');
    const r = await collect(s);
    // the harness's sshd runs with LogLevel DEBUG1, whose lines also reach the session's stderr
    const err = r.err.replace(/^debug\d: .*\r?\n/gm, '');
    assert.deepEqual({ ...r, err }, { out: 'out\n', err: 'err\n', exit: { code: 3 } });
  } finally {
    c.close();
  }
});

test('a wrong passphrase at every attempt: the key is skipped with a warning, the next key logs in', async () => {
  const asked: number[] = [];
  const warnings: string[] = [];
  const c = await connect({
    ...base(),
    identityFiles: [key('enc'), key('rsa')],
    passphrase: async (p) => (asked.push(p.attempt), 'wrong horse'),
    onWarning: (m) => warnings.push(m),
  });
  c.close();
  assert.deepEqual(asked, [1, 2, 3]);
  assert.deepEqual(warnings, [
    `Load key "${key('enc')}": incorrect passphrase supplied to decrypt private key`,
  ]);
  // sshd's monitor may write the line just after the client has its success
  await logged(() => server.log(), ACCEPTED_RSA);
  // with no other key: Permission denied, and the same single warning
  const alone: string[] = [];
  await assert.rejects(
    connect({
      ...base(),
      identityFiles: [key('enc')],
      passphrase: async () => 'wrong horse',
      onWarning: (m) => alone.push(m),
    }),
    (e: unknown) => e instanceof AuthError && /Permission denied \(publickey\)/.test(e.message),
  );
  assert.equal(alone.length, 1);
});

test('a key held only by ssh-agent; IdentitiesOnly keeps other agent keys back', async () => {
  const c = await connect({ ...base(), agentPath: agent.sock });
  const s = await c.openSession();
  await s.exec('echo via agent');
  assert.equal((await collect(s)).out, 'via agent\n');
  c.close();
  // IdentitiesOnly with a file the server does not accept: the agent's keys are not offered
  await assert.rejects(
    connect({
      ...base(),
      agentPath: agent.sock,
      identitiesOnly: true,
      identityFiles: [key('notauthorized')],
    }),
    /Permission denied \(publickey\)/,
  );
});

test('RSA keys sign with rsa-sha2-512', async () => {
  const c = await connect({ ...base(), identityFiles: [key('rsa')] });
  c.close();
  // sshd's monitor may write the line just after the client has its success
  await logged(() => server.log(), ACCEPTED_RSA);
});

test('known_hosts: accept-new records the key; strict checking accepts it next time; a changed key stops before authentication', async () => {
  const known = join(dir, 'known_hosts');
  const policy = (strict: 'accept-new' | 'yes') =>
    hostKeyVerifier({ host: '127.0.0.1', port: server.port, knownHostsFiles: [known], strict });
  const c1 = await connect({
    ...base(),
    identityFiles: [key('rsa')],
    verifyHostKey: policy('accept-new'),
  });
  c1.close();
  assert.match(
    readFileSync(known, 'utf8'),
    new RegExp(`^\\[127\\.0\\.0\\.1\\]:${server.port} ssh-ed25519 `, 'm'),
  );
  const c2 = await connect({
    ...base(),
    identityFiles: [key('rsa')],
    verifyHostKey: policy('yes'),
  });
  c2.close();
  // a different key recorded for this host: HostKeyError 'mismatch', and no passphrase asked
  const other = readFileSync(`${key('notauthorized')}.pub`, 'utf8')
    .split(' ')
    .slice(0, 2)
    .join(' ');
  writeFileSync(known, `[127.0.0.1]:${server.port} ${other}\n`);
  let asked = 0;
  await assert.rejects(
    connect({
      ...base(),
      identityFiles: [key('enc')],
      passphrase: async () => (asked++, 'correct horse'),
      verifyHostKey: policy('yes'),
    }),
    (e: unknown) => e instanceof HostKeyError && e.kind === 'mismatch' && e.known.length === 1,
  );
  assert.equal(asked, 0);
});

test('known_hosts hashed by ssh-keygen -H is matched; a @revoked key is refused before authentication', async () => {
  const hostLine = server.hostKeys.find((k) => k.type === 'ssh-ed25519')?.publicLine;
  assert.ok(hostLine);
  const known = join(dir, 'known_hosts_hashed');
  writeFileSync(known, `[127.0.0.1]:${server.port} ${hostLine}\n`);
  execFileSync('ssh-keygen', ['-q', '-H', '-f', known]);
  rmSync(`${known}.old`, { force: true });
  assert.match(readFileSync(known, 'utf8'), /^\|1\|[^|]+\|[^ ]+ ssh-ed25519 /);
  const strict = {
    host: '127.0.0.1',
    port: server.port,
    knownHostsFiles: [known],
    strict: 'yes' as const,
  };
  const c = await connect({
    ...base(),
    identityFiles: [key('rsa')],
    verifyHostKey: hostKeyVerifier(strict),
  });
  c.close();
  // the same key marked @revoked (for every host): refused even though a hashed line trusts it
  writeFileSync(known, `@revoked * ${hostLine}\n` + readFileSync(known, 'utf8'));
  let asked = 0;
  await assert.rejects(
    connect({
      ...base(),
      identityFiles: [key('enc')],
      passphrase: async () => (asked++, 'correct horse'),
      verifyHostKey: hostKeyVerifier(strict),
    }),
    (e: unknown) => e instanceof HostKeyError && e.kind === 'revoked',
  );
  assert.equal(asked, 0);
});
