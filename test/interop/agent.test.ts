/**
 * The agent client against a real OpenSSH ssh-agent: keys made by ssh-keygen and loaded with
 * ssh-add are listed with their blobs and comments, and sign with every algorithm they offer
 * (RSA with the rsa-sha2-256/512 flags), verified with our own parsePublicKey(blob).verify.
 * The agent runs in the foreground (-D) on a socket in a temp dir and is stopped by its PID.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startAgent, type RunningAgent } from './harness/index.js';
import { AgentClient, agentSigners, type AgentKey } from '../../core/agent/index.js';
import { parsePublicKey } from '../../core/crypto/hostkey/index.js';
import { AgentError } from '../../core/errors.js';
import { randomBytes } from '../../core/crypto/random.js';

const run = promisify(execFile);

interface MadeKey {
  readonly name: string;
  readonly file: string;
  readonly type: string;
  readonly blob: Uint8Array;
  readonly comment: string;
}

const specs = [
  { t: 'ed25519', b: 256, type: 'ssh-ed25519' },
  { t: 'ecdsa', b: 256, type: 'ecdsa-sha2-nistp256' },
  { t: 'ecdsa', b: 384, type: 'ecdsa-sha2-nistp384' },
  { t: 'ecdsa', b: 521, type: 'ecdsa-sha2-nistp521' },
  { t: 'rsa', b: 2048, type: 'ssh-rsa' },
] as const;

async function keygen(
  dir: string,
  name: string,
  t: string,
  b: number,
  comment: string,
): Promise<MadeKey> {
  const file = join(dir, name);
  await run('ssh-keygen', ['-q', '-t', t, '-b', String(b), '-N', '', '-C', comment, '-f', file]);
  const [type, b64, ...rest] = readFileSync(`${file}.pub`, 'utf8').trim().split(' ');
  assert.ok(type !== undefined && b64 !== undefined);
  return {
    name,
    file,
    type,
    blob: new Uint8Array(Buffer.from(b64, 'base64')),
    comment: rest.join(' '),
  };
}

async function sshAdd(sock: string, ...args: string[]): Promise<void> {
  await run('ssh-add', args, { env: { ...process.env, SSH_AUTH_SOCK: sock } });
}

describe('AgentClient against OpenSSH ssh-agent', () => {
  let dir: string;
  let agent: RunningAgent;
  let keys: MadeKey[];
  let client: AgentClient;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keyway-agent-'));
    agent = await startAgent(dir);
    keys = [];
    for (const s of specs) {
      const k = await keygen(dir, `id_${s.t}${s.b}`, s.t, s.b, `keyway agent test ${s.t}-${s.b}`);
      assert.equal(k.type, s.type);
      keys.push(k);
      await sshAdd(agent.sock, '-q', k.file);
    }
    client = new AgentClient(agent.sock);
  });

  after(async () => {
    client?.close();
    await agent?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('listIdentities: the blobs equal the .pub files, comments kept, in order', async () => {
    const listed = await client.listIdentities();
    assert.equal(listed.length, keys.length);
    listed.forEach((l, i) => {
      const k = keys[i];
      assert.ok(k);
      assert.deepEqual(l.blob, k.blob, k.name);
      assert.equal(l.comment, k.comment);
      assert.equal(l.type, k.type);
      assert.ok(l.publicKey, `${k.name} is supported`);
      assert.equal(l.unsupported, undefined);
    });
  });

  test('every signer signs with every algorithm it lists; the signatures verify', async () => {
    const signers = await agentSigners(client);
    assert.equal(signers.length, keys.length);
    for (const s of signers) {
      assert.equal(s.source, 'agent');
      const pk = parsePublicKey(s.publicKey.blob);
      const want =
        s.publicKey.type === 'ssh-rsa'
          ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']
          : [s.publicKey.type];
      assert.deepEqual([...s.algorithms], want);
      for (const alg of s.algorithms) {
        const data = randomBytes(100);
        const sig = await s.sign(alg, data);
        assert.equal(pk.verify(alg, sig, data), true, `${s.comment} ${alg}`);
        const other = data.slice();
        other[0] = (other[0] ?? 0) ^ 1;
        assert.equal(pk.verify(alg, sig, other), false, `${s.comment} ${alg} on other data`);
      }
    }
  });

  test('raw sign with the RSA flags gives rsa-sha2-256 and rsa-sha2-512 signatures', async () => {
    const rsa = keys.find((k) => k.type === 'ssh-rsa');
    assert.ok(rsa);
    const pk = parsePublicKey(rsa.blob);
    const data = randomBytes(64);
    for (const [flags, alg] of [
      [2, 'rsa-sha2-256'],
      [4, 'rsa-sha2-512'],
      [0, 'ssh-rsa'],
    ] as const) {
      const sig = await client.sign(rsa.blob, data, flags);
      assert.equal(pk.verify(alg, sig, data), true, alg);
    }
  });

  test('concurrent requests on one client are answered in order', async () => {
    const signers = await agentSigners(client);
    const data = randomBytes(32);
    const jobs = signers.flatMap((s) =>
      s.algorithms.map(async (alg) => ({ s, alg, sig: await s.sign(alg, data) })),
    );
    const lists = Promise.all([client.listIdentities(), client.listIdentities()]);
    for (const { s, alg, sig } of await Promise.all(jobs)) {
      assert.equal(parsePublicKey(s.publicKey.blob).verify(alg, sig, data), true);
    }
    for (const l of await lists) assert.equal(l.length, keys.length);
  });

  test('a key the agent does not hold: AgentError refused', async () => {
    const stranger = await keygen(dir, 'stranger', 'ed25519', 256, 'not in the agent');
    await assert.rejects(client.sign(stranger.blob, randomBytes(8), 0), (e: unknown) => {
      assert.ok(e instanceof AgentError);
      assert.equal(e.kind, 'refused');
      return true;
    });
    // The connection is still usable afterwards.
    assert.equal((await client.listIdentities()).length, keys.length);
  });

  test('a certificate in the agent is a signer offering the certificate algorithm', async () => {
    const ca = await keygen(dir, 'ca', 'ed25519', 256, 'ca');
    const user = await keygen(dir, 'certified', 'ecdsa', 384, 'certified');
    // Writes certified-cert.pub, which ssh-add loads together with the key.
    await run('ssh-keygen', [
      '-q',
      '-s',
      ca.file,
      '-I',
      'keyway',
      '-n',
      'root',
      '-V',
      '+1h',
      `${user.file}.pub`,
    ]);
    await sshAdd(agent.sock, '-q', user.file); // adds the key and its certificate
    try {
      const listed: AgentKey[] = await client.listIdentities();
      const cert = listed.find((k) => k.type === 'ecdsa-sha2-nistp384-cert-v01@openssh.com');
      assert.ok(cert, listed.map((k) => k.type).join(', '));
      assert.equal(cert.unsupported, undefined);
      assert.equal(cert.publicKey?.certificate?.keyId, 'keyway');
      const signers = await agentSigners(client);
      assert.equal(signers.length, listed.length);
      const s = signers.find((x) => x.publicKey.certificate !== undefined);
      assert.ok(s);
      assert.deepEqual(s.algorithms, ['ecdsa-sha2-nistp384-cert-v01@openssh.com']);
      const data = new TextEncoder().encode('signed by the certified key');
      const sig = await s.sign('ecdsa-sha2-nistp384-cert-v01@openssh.com', data);
      assert.equal(s.publicKey.verify('ecdsa-sha2-nistp384-cert-v01@openssh.com', sig, data), true);
    } finally {
      await sshAdd(agent.sock, '-q', '-d', user.file);
    }
  });
});

test('a missing agent socket is an AgentError naming the path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-agent-'));
  try {
    const path = join(dir, 'no-such.sock');
    const client = new AgentClient(path);
    await assert.rejects(client.listIdentities(), (e: unknown) => {
      assert.ok(e instanceof AgentError);
      assert.equal(e.kind, 'unavailable');
      assert.ok(e.message.includes(path), e.message);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a stopped agent (stale socket): AgentError naming the path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-agent-'));
  let agent: RunningAgent | undefined;
  try {
    agent = await startAgent(dir);
    const client = new AgentClient(agent.sock);
    assert.deepEqual(await client.listIdentities(), []);
    await agent.stop();
    client.close();
    const again = new AgentClient(agent.sock);
    await assert.rejects(again.listIdentities(), (e: unknown) => {
      assert.ok(e instanceof AgentError);
      assert.equal(e.kind, 'unavailable');
      assert.ok(e.message.includes(agent?.sock ?? ''), e.message);
      return true;
    });
  } finally {
    await agent?.stop(); // a child left running would keep this file's process alive
    rmSync(dir, { recursive: true, force: true });
  }
});
