// AgentClient and agent Signers against a scripted agent on a Unix socket: a working one, and
// one that misbehaves in each way (FAILURE, garbage, an oversized length, hanging up mid-reply,
// silence, unsolicited bytes). Each ends in a typed AgentError, never a hang or a crash, and the
// client recovers on a fresh connection for the next request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AgentClient,
  agentSigner,
  agentSigners,
  defaultAgentPath,
  WINDOWS_AGENT_PIPE,
} from '../../../core/agent/index.js';
import { AgentError } from '../../../core/errors.js';
import { generateHostKeyPair } from '../../../core/crypto/hostkey/index.js';
import { randomBytes } from '../../../core/crypto/random.js';
import { SshWriter } from '../../../core/wire/writer.js';
import { fakeAgent, framed, honestAgent, msg, type Answer } from './fake-agent.js';

const kindIs =
  (kind: string, pattern?: RegExp) =>
  (e: unknown): boolean => {
    assert.ok(e instanceof AgentError, `expected AgentError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    assert.equal(e.code, 'AGENT_ERROR');
    if (pattern) assert.match(e.message, pattern);
    return true;
  };

const ed = generateHostKeyPair('ssh-ed25519');
const ec = generateHostKeyPair('ecdsa-sha2-nistp256');
const rsa = generateHostKeyPair('ssh-rsa', 2048);
const held = [
  { pair: ed, comment: 'ed' },
  { pair: ec, comment: 'ec' },
  { pair: rsa, comment: 'rsa' },
];

/** Runs `body` against a fake agent whose first request is answered by `first`, later ones honestly. */
async function withAgent(
  first: Answer | undefined,
  body: (client: AgentClient, agent: Awaited<ReturnType<typeof fakeAgent>>) => Promise<void>,
  opts: { timeoutMs?: number } = {},
): Promise<void> {
  const honest = honestAgent(held);
  let n = 0;
  const agent = await fakeAgent((req, socket) =>
    (n++ === 0 && first ? first : honest)(req, socket),
  );
  const client = new AgentClient(agent.path, { timeoutMs: opts.timeoutMs ?? 2_000 });
  try {
    await body(client, agent);
  } finally {
    client.close();
    await agent.close();
  }
}

test('signers from a working agent sign with every algorithm; signatures verify', async () => {
  await withAgent(undefined, async (client) => {
    const signers = await agentSigners(client);
    assert.deepEqual(
      signers.map((s) => [s.comment, s.source, [...s.algorithms]]),
      [
        ['ed', 'agent', ['ssh-ed25519']],
        ['ec', 'agent', ['ecdsa-sha2-nistp256']],
        ['rsa', 'agent', ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']],
      ],
    );
    for (const s of signers) {
      for (const alg of s.algorithms) {
        const data = randomBytes(50);
        assert.equal(s.publicKey.verify(alg, await s.sign(alg, data), data), true, alg);
      }
    }
    await assert.rejects(
      signers[0]?.sign('rsa-sha2-512', Uint8Array.of(1)) ?? Promise.resolve(),
      kindIs('unsupported'),
    );
  });
});

test('FAILURE → refused, and the connection stays usable', async () => {
  await withAgent(
    (_req, s) => s.write(msg(5)),
    async (client, agent) => {
      await assert.rejects(
        client.listIdentities(),
        kindIs('refused', /refused the identities request/),
      );
      assert.equal((await client.listIdentities()).length, 3);
      assert.equal(agent.connections(), 1);
    },
  );
});

test('garbage (a truncated identities answer) → protocol; the framing held, so the connection stays', async () => {
  await withAgent(
    (_req, s) => s.write(msg(12, (w) => w.writeUint32(3).writeString('half'))),
    async (client, agent) => {
      await assert.rejects(
        client.listIdentities(),
        kindIs('protocol', /malformed identities answer/),
      );
      assert.equal((await client.listIdentities()).length, 3);
      assert.equal(agent.connections(), 1);
    },
  );
});

test('an unexpected message type → protocol', async () => {
  await withAgent(
    (_req, s) => s.write(msg(6)),
    async (client) => {
      await assert.rejects(client.listIdentities(), kindIs('protocol', /message type 6/));
    },
  );
});

test('an oversized length → protocol at once, without waiting for the bytes', async () => {
  await withAgent(
    (_req, s) => s.write(Uint8Array.of(0x7f, 0xff, 0xff, 0xff, 12)),
    async (client) => {
      const started = Date.now();
      await assert.rejects(
        client.listIdentities(),
        kindIs('protocol', /exceeds the 262144-byte limit/),
      );
      assert.ok(Date.now() - started < 1_000);
      assert.equal((await client.listIdentities()).length, 3);
    },
    { timeoutMs: 5_000 },
  );
});

test('the agent hangs up mid-reply → closed', async () => {
  await withAgent(
    (_req, s) => {
      const whole = msg(12, (w) =>
        w.writeUint32(1).writeString(ed.publicKey.blob).writeString('x'),
      );
      s.end(whole.subarray(0, 10));
    },
    async (client) => {
      await assert.rejects(client.listIdentities(), kindIs('closed', /closed the connection/));
      assert.equal((await client.listIdentities()).length, 3);
    },
  );
});

test('silence → timeout; the next request works', async () => {
  await withAgent(
    () => {},
    async (client) => {
      await assert.rejects(
        client.listIdentities(),
        kindIs('timeout', /did not answer .* within 200 ms/),
      );
      assert.equal((await client.listIdentities()).length, 3);
    },
    { timeoutMs: 200 },
  );
});

test('a reply followed by extra bytes is used; the out-of-step connection is dropped', async () => {
  await withAgent(
    (req, s) => {
      honestAgent(held)(req, s);
      s.write(msg(5));
    },
    async (client, agent) => {
      assert.equal((await client.listIdentities()).length, 3);
      assert.equal((await client.listIdentities()).length, 3);
      assert.equal(agent.connections(), 2);
    },
  );
});

test('queued requests after a failure still run, in order', async () => {
  await withAgent(
    (_req, s) => s.write(framed(Uint8Array.of())),
    async (client) => {
      const results = await Promise.allSettled([
        client.listIdentities(),
        client.listIdentities(),
        client.sign(ed.publicKey.blob, Uint8Array.of(1), 0),
      ]);
      assert.equal(results[0]?.status, 'rejected');
      assert.equal(results[1]?.status, 'fulfilled');
      assert.equal(results[2]?.status, 'fulfilled');
    },
  );
});

test('an agent that answers ssh-rsa when asked for rsa-sha2-512 is refused', async () => {
  const agent = await fakeAgent(
    honestAgent(held, [], (asked) => (asked.startsWith('rsa-') ? 'ssh-rsa' : asked)),
  );
  const client = new AgentClient(agent.path);
  try {
    const signer = (await agentSigners(client)).find((s) => s.publicKey.type === 'ssh-rsa');
    assert.ok(signer);
    await assert.rejects(
      signer.sign('rsa-sha2-512', Uint8Array.of(1)),
      kindIs('protocol', /ssh-rsa signature when asked for rsa-sha2-512/),
    );
    assert.ok(await signer.sign('ssh-rsa', Uint8Array.of(1)));
  } finally {
    client.close();
    await agent.close();
  }
});

test('a malformed signature blob from the agent → protocol', async () => {
  const agent = await fakeAgent((req, s) => {
    if (req[0] === 13) s.write(msg(14, (w) => w.writeString(Uint8Array.of(0, 0, 0, 9, 0x41))));
    else honestAgent(held)(req, s);
  });
  const client = new AgentClient(agent.path);
  try {
    const [signer] = await agentSigners(client);
    assert.ok(signer);
    await assert.rejects(
      signer.sign('ssh-ed25519', Uint8Array.of(1)),
      kindIs('protocol', /malformed signature/),
    );
  } finally {
    client.close();
    await agent.close();
  }
});

test('unsupported keys are listed but not made into signers', async () => {
  const sk = new SshWriter()
    .writeString('sk-ecdsa-sha2-nistp256@openssh.com')
    .writeString('nistp256')
    .writeString(new Uint8Array(65))
    .writeString('ssh:')
    .toBytes();
  const agent = await fakeAgent(honestAgent(held, [{ blob: sk, comment: 'yubikey' }]));
  const client = new AgentClient(agent.path);
  try {
    const listed = await client.listIdentities();
    assert.equal(listed.length, 4);
    const skKey = listed[3];
    assert.ok(skKey);
    assert.equal(skKey.type, 'sk-ecdsa-sha2-nistp256@openssh.com');
    assert.equal(skKey.publicKey, undefined);
    assert.throws(() => agentSigner(client, skKey), kindIs('unsupported', /yubikey/));
    assert.equal((await agentSigners(client)).length, 3);
  } finally {
    client.close();
    await agent.close();
  }
});

test('close() fails queued requests with closed', async () => {
  const agent = await fakeAgent(() => {});
  const client = new AgentClient(agent.path, { timeoutMs: 5_000 });
  try {
    const p = client.listIdentities();
    await new Promise((r) => setTimeout(r, 50));
    client.close();
    await assert.rejects(p, kindIs('closed'));
    await assert.rejects(client.listIdentities(), kindIs('closed'));
  } finally {
    await agent.close();
  }
});

test('nothing listening on the socket (ECONNREFUSED) → unavailable, naming the path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-agent-'));
  const path = join(dir, 'stale.sock');
  try {
    // A bound socket nobody listens on: what a crashed agent leaves behind.
    execFileSync('python3', [
      '-c',
      'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])',
      path,
    ]);
    await assert.rejects(new AgentClient(path).listIdentities(), (e: unknown) => {
      kindIs('unavailable', /nothing is listening/)(e);
      assert.ok(e instanceof AgentError && e.message.includes(path));
      return true;
    });
    await assert.rejects(
      new AgentClient(join(dir, 'missing')).listIdentities(),
      kindIs('unavailable', /does not exist/),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('defaultAgentPath and fromEnv', () => {
  assert.equal(defaultAgentPath({ SSH_AUTH_SOCK: '/tmp/a.sock' }, 'linux'), '/tmp/a.sock');
  assert.equal(defaultAgentPath({}, 'linux'), undefined);
  assert.equal(defaultAgentPath({ SSH_AUTH_SOCK: '' }, 'darwin'), undefined);
  assert.equal(defaultAgentPath({}, 'win32'), '\\\\.\\pipe\\openssh-ssh-agent');
  assert.equal(WINDOWS_AGENT_PIPE, String.raw`\\.\pipe\openssh-ssh-agent`);
  assert.equal(AgentClient.fromEnv({ SSH_AUTH_SOCK: '/x' }).path, '/x');
  if (process.platform !== 'win32') {
    assert.throws(() => AgentClient.fromEnv({}), kindIs('unavailable', /SSH_AUTH_SOCK is not set/));
  }
});
