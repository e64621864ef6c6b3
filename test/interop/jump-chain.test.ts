/**
 * connect() through jump hosts and ProxyCommand against real servers: Debian's sshd instances on
 * their own ports and the bundled `keyway sshd` (built bin). Each hop checks its host key
 * against a known_hosts file under its own [127.0.0.1]:port name and logs in on its own.
 * Covered: a caller-opened stream, chains of one and two hops (through keyway sshd too), closing the final connection
 * closing the chain, a host-key mismatch on the middle hop stopping the chain with an error that
 * names it, a hop that cannot reach the next host, a hop that stops answering (keepalive),
 * ProxyCommand with OpenSSH's `ssh -W %h:%p` as the proxy, its tokens, and one that exits early.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { startOpenSsh, freePort, type RunningServer } from './harness/index.js';
import { startKeywaySshd, type KeywaySshd } from '../support/keyway-sshd.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';
import { collect } from '../support/session-output.js';
import { freezeChildren, thaw } from '../support/processes.js';
import { waitFor, logged } from '../support/wait.js';
import { localConnectOptions } from '../support/client-options.js';
import { connect, type ConnectOptions, type SshClient } from '../../core/client/connect.js';
import { connectTcp } from '../../core/transport/adapter.js';
import { JumpHostError, ProxyCommandError } from '../../core/client/route-errors.js';
import { ChannelOpenError, HostKeyError, KeepaliveTimeout } from '../../core/errors.js';

let tmp: TempDir;
let a: RunningServer;
let b: RunningServer;
let c: RunningServer;
let k: KeywaySshd;

/** known_hosts lines for a server: every key under [127.0.0.1]:port. */
function knownLines(port: number, keys: readonly string[]): string {
  return keys.map((key) => `[127.0.0.1]:${port} ${key}\n`).join('');
}

function hop(port: number, extra: Partial<ConnectOptions> = {}, knownHosts = 'known_hosts') {
  const base = localConnectOptions({
    port,
    username: 'root',
    identity: tmp.path('id'),
    knownHosts: tmp.path(knownHosts),
  });
  return { ...base, ...extra } satisfies ConnectOptions;
}

async function run(client: SshClient, command: string): Promise<string> {
  const s = await client.openSession();
  await s.exec(command);
  return (await collect(s)).out;
}

/** The sshd log line OpenSSH writes for a direct-tcpip open to `port`. */
const forwardedTo = (port: number) =>
  new RegExp(`direct_tcpip.*target 127\\.0\\.0\\.1 port ${port}\\b`);

before(async () => {
  tmp = tempDir('jump');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', tmp.path('id')]);
  const pub = readFileSync(tmp.path('id.pub'), 'utf8').trim();
  [a, b, c, k] = await Promise.all([
    startOpenSsh({ authorizedKeys: [pub] }),
    startOpenSsh({ authorizedKeys: [pub] }),
    startOpenSsh({ authorizedKeys: [pub] }),
    startKeywaySshd({ authorizedKeys: [pub] }),
  ]);
  const kKeys = execFileSync('ssh-keyscan', ['-p', String(k.port), '127.0.0.1'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const lines =
    [a, b, c]
      .map((s) =>
        knownLines(
          s.port,
          s.hostKeys.map((h) => h.publicLine),
        ),
      )
      .join('') + kKeys;
  writeFileSync(tmp.path('known_hosts'), lines);
  // a known_hosts where B's name carries C's keys: B's real key is a mismatch
  writeFileSync(
    tmp.path('known_hosts_wrong_b'),
    [a, c]
      .map((s) =>
        knownLines(
          s.port,
          s.hostKeys.map((h) => h.publicLine),
        ),
      )
      .concat(
        knownLines(
          b.port,
          c.hostKeys.map((h) => h.publicLine),
        ),
      )
      .join(''),
  );
  // OpenSSH's own client, for ProxyCommand: a config of its own, nothing from ~/.ssh
  writeFileSync(
    tmp.path('ssh_config'),
    [
      'Host jump-a',
      '  HostName 127.0.0.1',
      `  Port ${a.port}`,
      '  User root',
      `  IdentityFile ${tmp.path('id')}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${tmp.path('known_hosts')}`,
      '  GlobalKnownHostsFile /dev/null',
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
      '',
    ].join('\n'),
  );
});

after(async () => {
  await Promise.all([a?.stop(), b?.stop(), c?.stop(), k?.stop()]);
  tmp?.cleanup();
});

test('connect() over a stream the caller opened: no dialling of its own', async () => {
  const socket = await connectTcp({ host: '127.0.0.1', port: b.port });
  // host and port only name the server (known_hosts); a wrong port would fail the check
  const client = await connect({ ...hop(b.port), stream: socket });
  assert.equal((await run(client, 'echo over-given-stream')).trim(), 'over-given-stream');
  assert.equal(client.jumpClient, null);
  client.close();
  await new Promise((r) => (socket.closed ? r(null) : socket.once('close', r)));
});

test('one hop: the target is reached through a direct-tcpip channel of the jump host', async () => {
  const client = await connect({ ...hop(b.port), jump: [hop(a.port)] });
  try {
    assert.equal((await run(client, 'echo via-one-hop')).trim(), 'via-one-hop');
    await logged(() => a.log(), forwardedTo(b.port));
    assert.ok(client.jumpClient, 'the jump connection is exposed');
  } finally {
    client.close();
  }
  // closing the final connection closes the chain
  assert.equal(await client.jumpClient?.closed, null);
});

test('two hops, the middle one keyway sshd: each hop is its own connection', async () => {
  const client = await connect({ ...hop(c.port), jump: [hop(a.port), hop(k.port)] });
  const viaK = client.jumpClient;
  const viaA = viaK?.jumpClient;
  try {
    assert.equal((await run(client, 'echo via-two-hops')).trim(), 'via-two-hops');
    assert.equal(viaK?.transport.peerVersion?.includes('Keyway'), true);
    assert.equal(viaA?.transport.peerVersion?.includes('OpenSSH'), true);
    assert.equal(viaA?.jumpClient, null);
    await logged(() => a.log(), forwardedTo(k.port));
  } finally {
    client.close();
  }
  assert.equal(await viaK?.closed, null);
  assert.equal(await viaA?.closed, null);
});

test('a host-key mismatch on the middle hop stops the chain and names that hop', async () => {
  const before = c.log().length;
  const wrong = 'known_hosts_wrong_b';
  const err = await connect({
    ...hop(c.port, {}, wrong),
    jump: [hop(a.port, {}, wrong), hop(b.port, {}, wrong)],
  }).then(
    () => assert.fail('connected despite the changed key'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof JumpHostError, String(err));
  assert.equal(err.position, 2);
  assert.equal(err.stage, 'connect');
  assert.deepEqual(err.hop, { host: '127.0.0.1', port: b.port, user: 'root' });
  assert.ok(err.cause instanceof HostKeyError);
  assert.equal(err.cause.kind, 'mismatch');
  assert.match(err.message, new RegExp(`^jump host 2 \\(root@127\\.0\\.0\\.1 port ${b.port}\\): `));
  // the chain stopped there: the target never saw a connection
  assert.doesNotMatch(c.log().slice(before), /Connection from/);
});

test('a jump host that cannot reach the next host: stage "forward", the reason given', async () => {
  const closed = await freePort();
  const err = await connect({ ...hop(closed), jump: [hop(a.port)] }).then(
    () => assert.fail('connected to a closed port'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof JumpHostError, String(err));
  assert.equal(err.stage, 'forward');
  assert.equal(err.position, 1);
  assert.ok(err.cause instanceof ChannelOpenError);
  assert.equal(err.cause.openReason, 2); // SSH_OPEN_CONNECT_FAILED
  assert.match(
    err.message,
    new RegExp(`could not open a channel to 127\\.0\\.0\\.1 port ${closed}`),
  );
});

test('a hop that stops answering is found by its own keepalive and named', async () => {
  const frozenHop = await startOpenSsh({
    authorizedKeys: [readFileSync(tmp.path('id.pub'), 'utf8').trim()],
  });
  writeFileSync(
    tmp.path('known_hosts_frozen'),
    readFileSync(tmp.path('known_hosts'), 'utf8') +
      knownLines(
        frozenHop.port,
        frozenHop.hostKeys.map((h) => h.publicLine),
      ),
  );
  let frozen: number[] = [];
  try {
    const keepalive = { intervalMs: 300, countMax: 2 };
    const client = await connect({
      ...hop(b.port),
      jump: [hop(frozenHop.port, { keepalive }, 'known_hosts_frozen')],
    });
    assert.equal((await run(client, 'echo up')).trim(), 'up');
    frozen = freezeChildren(frozenHop.pid);
    const err = await client.closed;
    assert.ok(err instanceof JumpHostError, String(err));
    assert.equal(err.stage, 'lost');
    assert.equal(err.position, 1);
    assert.ok(err.cause instanceof KeepaliveTimeout);
    assert.match(err.message, /jump host 1 .*: connection lost: Timeout, server 127\.0\.0\.1/);
  } finally {
    thaw(frozen);
    await frozenHop.stop();
  }
});

test("ProxyCommand: OpenSSH's `ssh -W %h:%p` carries the connection", async () => {
  const proxyCommand = `ssh -F ${tmp.path('ssh_config')} -W %h:%p jump-a`;
  const client = await connect({ ...hop(b.port), proxyCommand });
  try {
    assert.equal((await run(client, 'echo via-proxy-command')).trim(), 'via-proxy-command');
    await logged(() => a.log(), forwardedTo(b.port));
    assert.equal(client.jumpClient, null);
  } finally {
    client.close();
  }
});

test('ProxyCommand tokens %h %p %r %n %% reach the command, which ends with the connection', async () => {
  const out = tmp.path('tokens');
  // exec all the way down: $$ is the process connect() started, and then ssh itself
  const proxyCommand =
    `sh -c 'echo "$$|$1|$2|$3|$4|$5" > ${out}; exec ssh -F ${tmp.path('ssh_config')} -W "$1:$2" jump-a'` +
    ' sh %h %p %r %n %%';
  const client = await connect({ ...hop(b.port), proxyCommand, hostAlias: 'b-alias' });
  const [pid, ...tokens] = readFileSync(out, 'utf8').trim().split('|');
  assert.deepEqual(tokens, ['127.0.0.1', String(b.port), 'root', 'b-alias', '%']);
  assert.equal(readFileSync(`/proc/${pid}/comm`, 'utf8').trim(), 'ssh');
  client.close();
  await waitFor(() => !existsSync(`/proc/${pid}`), 'the ProxyCommand to end with the connection');
});

test('a ProxyCommand that exits early: a ProxyCommandError with its status, its stderr passed on', async () => {
  let stderr = '';
  const err = await connect({
    ...hop(b.port),
    proxyCommand: `sh -c 'echo "no route to %h" >&2; exit 7'`,
    onProxyStderr: (chunk) => (stderr += chunk.toString()),
  }).then(
    () => assert.fail('connected through a command that exited'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ProxyCommandError, String(err));
  assert.equal(err.kind, 'exited');
  assert.equal(err.status, 7);
  assert.match(err.message, /exited with status 7/);
  assert.equal(stderr, 'no route to 127.0.0.1\n');
});
