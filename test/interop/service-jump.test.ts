/**
 * The service connects as `keyway ssh` does (core/client/target-options.ts), driven through
 * the browser host's real WebSocket against Debian's sshd instances named only in a temp
 * ~/.ssh/config: a two-hop ProxyJump chain with a user and identity per hop (each sshd accepts
 * only its own key), each hop's host-key prompt naming the hop; a saved profile's own jump
 * host; SetEnv and SendEnv reaching a terminal; ProxyCommand (OpenSSH's `ssh -W` as the proxy); a host certificate accepted through
 * an @cert-authority line with no prompt; BatchMode failing an unknown host key without one.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectionInfo, Prompt } from '../../core/service/api/contract.js';
import { createService, type Service } from '../../core/service/service.js';
import { startWebHost, type WebHost } from '../../core/service/web/web-host.js';
import { makeKey, publicLine, signKey } from '../support/openssh-certs.js';
import { openServiceClient, type TestServiceClient } from '../support/service-client.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';
import { waitFor, logged } from '../support/wait.js';
import { ensureTestUser, startOpenSsh, type RunningServer } from './harness/index.js';

let tmp: TempDir;
let home: string;
let a: RunningServer;
let b: RunningServer;
let c: RunningServer;
let service: Service;
let host: WebHost;
let ws: TestServiceClient;
let testUser: string;
const warnings: string[] = [];

const key = (name: string) => tmp.path(`id_${name}`);
const pub = (name: string) => publicLine(`${key(name)}.pub`);

before(async () => {
  tmp = tempDir('service-jump');
  home = tmp.path('home');
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  testUser = ensureTestUser().user;
  for (const n of ['a', 'b', 'c']) makeKey(key(n), 'ed25519');
  const ca = makeKey(tmp.path('host_ca'), 'ed25519');
  const cHostKey = makeKey(tmp.path('c_host_ed25519'), 'ed25519');
  const cHostCert = signKey(ca, `${cHostKey}.pub`, { host: true, principals: ['127.0.0.1'] });
  [a, b, c] = await Promise.all([
    startOpenSsh({ authorizedKeys: [pub('a')] }),
    startOpenSsh({ authorizedKeys: [pub('b')] }),
    startOpenSsh({
      authorizedKeys: [pub('c')],
      hostKeyTypes: ['ecdsa256'],
      extraConfig: [`HostKey ${cHostKey}`, `HostCertificate ${cHostCert}`, 'AcceptEnv KEYWAY_*'],
    }),
  ]);
  writeFileSync(
    tmp.path('known_hosts_ca'),
    `@cert-authority [127.0.0.1]:* ${publicLine(`${ca}.pub`)}\n`,
  );
  const block = (name: string, s: RunningServer, user: string, id: string, extra: string[]) => [
    `Host ${name}`,
    '  HostName 127.0.0.1',
    `  Port ${s.port}`,
    `  User ${user}`,
    `  IdentityFile ${key(id)}`,
    ...extra.map((l) => `  ${l}`),
  ];
  // OpenSSH's ssh as a ProxyCommand, reaching hop A with its own config
  const knownHosts = join(home, '.ssh', 'known_hosts');
  writeFileSync(
    tmp.path('openssh_config'),
    [
      ...block('hop-a', a, 'root', 'a', [
        'IdentitiesOnly yes',
        'IdentityAgent none',
        'BatchMode yes',
        'StrictHostKeyChecking yes',
        `UserKnownHostsFile ${knownHosts}`,
      ]),
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(home, '.ssh', 'config'),
    [
      ...block('target', c, 'root', 'c', [
        'ProxyJump hop-a,hop-b',
        'SetEnv KEYWAY_SET=from-setenv',
        'SendEnv KEYWAY_SEND_*',
      ]),
      ...block('via-command', c, 'root', 'c', [
        `ProxyCommand ssh -F ${tmp.path('openssh_config')} -W %h:%p hop-a`,
      ]),
      ...block('cert-target', c, 'root', 'c', [`UserKnownHostsFile ${tmp.path('known_hosts_ca')}`]),
      ...block('batch-target', b, testUser, 'b', [
        `UserKnownHostsFile ${tmp.path('known_hosts_empty')}`,
        'BatchMode yes',
      ]),
      ...block('hop-a', a, 'root', 'a', []),
      ...block('hop-b', b, testUser, 'b', []),
      'Host *',
      '  IdentitiesOnly yes',
      '',
    ].join('\n'),
  );
  process.env['KEYWAY_SEND_ONE'] = 'sent-by-sendenv';
  service = createService({
    home,
    dataDir: tmp.path('data'),
    agentPath: null,
    globalKnownHostsFiles: [],
    onWarning: (m) => warnings.push(m),
  });
  host = await startWebHost({ service, uiDir: tmp.path('ui') });
  ws = await openServiceClient(host.wsUrl, host.origin);
});

after(async () => {
  delete process.env['KEYWAY_SEND_ONE'];
  await ws?.close();
  service?.close();
  await host?.close();
  await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
  tmp?.cleanup();
});

const forwardedTo = (port: number) =>
  new RegExp(`direct_tcpip.*target 127\\.0\\.0\\.1 port ${port}\\b`);

const promptsOf = (id: string) =>
  ws.events
    .filter((e) => e.name === 'prompt' && (e.payload as Prompt).connectionId === id)
    .map((e) => e.payload as Prompt);

function lastState(id: string): string | undefined {
  const states = ws.events
    .filter((e) => e.name === 'connectionState')
    .map((e) => e.payload as ConnectionInfo)
    .filter((p) => p.connectionId === id);
  return states.at(-1)?.state;
}

async function connected(id: string): Promise<ConnectionInfo> {
  return ws.waitEvent(
    'connectionState',
    (p) => p.connectionId === id && (p.state === 'connected' || p.state === 'failed'),
    `${id} connected`,
  );
}

async function terminalOutput(connectionId: string, command: string, marker: string) {
  const t = await ws.api.openTerminal({ connectionId, cols: 120, rows: 30 });
  const tap = ws.terminal(t.terminalId);
  await ws.api.writeTerminal({ terminalId: t.terminalId, data: `${command}; exit\n` });
  await ws.waitEvent('terminalExit', (e) => e.terminalId === t.terminalId);
  await waitFor(() => tap.text().includes(marker), marker);
  return tap.text();
}

test('ProxyJump through two hops: a host-key prompt per hop naming it, then the target', async () => {
  const info = await ws.api.connect({ target: { kind: 'sshConfig', alias: 'target' } });
  const id = info.connectionId;
  const seen: Prompt[] = [];
  for (let i = 0; i < 3; i++) {
    await waitFor(() => promptsOf(id).length > i, `host-key prompt ${i + 1}`, 20_000);
    const p = promptsOf(id)[i] as Prompt;
    seen.push(p);
    assert.equal(p.kind, 'hostKey');
    // nothing authenticates to the target before its own key is accepted
    assert.equal(lastState(id), 'connecting');
    await ws.api.answerPrompt({
      promptId: p.promptId,
      answer: { kind: 'hostKey', decision: 'save' },
    });
  }
  assert.deepEqual(
    seen.map((p) => p.hop),
    [
      { position: 1, of: 2, alias: 'hop-a', host: '127.0.0.1', port: a.port, user: 'root' },
      { position: 2, of: 2, alias: 'hop-b', host: '127.0.0.1', port: b.port, user: testUser },
      undefined,
    ],
  );
  assert.deepEqual(
    seen.map((p) => (p.kind === 'hostKey' ? p.name : '')),
    [`[127.0.0.1]:${a.port}`, `[127.0.0.1]:${b.port}`, `[127.0.0.1]:${c.port}`],
  );
  const done = await connected(id);
  assert.equal(done.state, 'connected', JSON.stringify(done.error));
  await logged(() => a.log(), forwardedTo(b.port));
  await logged(() => b.log(), forwardedTo(c.port));
  const known = readFileSync(join(home, '.ssh', 'known_hosts'), 'utf8');
  for (const s of [a, b, c])
    assert.match(known, new RegExp(`^\\[127\\.0\\.0\\.1\\]:${s.port} `, 'm'));

  const out = await terminalOutput(
    id,
    'echo "env=$KEYWAY_SET/$KEYWAY_SEND_ONE user=$(id -un) port=${SSH_CONNECTION##* }"',
    'user=',
  );
  assert.match(out, new RegExp(`env=from-setenv/sent-by-sendenv user=root port=${c.port}`));
  await ws.api.disconnect({ connectionId: id });
});

test("a saved profile's jump hosts (its -J) reach the target through them", async () => {
  // the config's two-hop route to the same root@host:port, connected: another route is
  // another connection (OpenSSH's %C hashes the jump hosts too)
  const from = ws.events.length;
  const bForwards = () => b.log().match(new RegExp(forwardedTo(c.port).source, 'g'))?.length ?? 0;
  const bBefore = bForwards();
  const viaConfig = await ws.api.connect({ target: { kind: 'sshConfig', alias: 'target' } });
  // this connection again (the first test's): wait for its new 'connected', not the old one,
  // so that its hops have forwarded before the logs below are read
  const up = await ws.waitEvent(
    'connectionState',
    (p) =>
      p.connectionId === viaConfig.connectionId &&
      ['connected', 'failed'].includes(p.state) &&
      ws.events.findIndex((e) => e.payload === p) >= from,
    'the config route connected again',
  );
  assert.equal(up.state, 'connected', JSON.stringify(up.error));
  // hop B's log line for it arrives on its own pipe, maybe after 'connected'
  await waitFor(() => bForwards() > bBefore, "hop B's forward for the config route");
  const profile = await ws.api.saveProfile({
    profile: {
      name: 'via profile',
      host: '127.0.0.1',
      port: c.port,
      user: 'root',
      identityFiles: [key('c')],
      proxyJump: 'hop-a',
    },
  });
  const beforeA = a.log().length;
  const beforeB = b.log().length;
  const info = await ws.api.connect({ target: { kind: 'profile', id: profile.id } });
  assert.notEqual(info.connectionId, viaConfig.connectionId);
  const done = await connected(info.connectionId);
  assert.equal(done.state, 'connected', JSON.stringify(done.error));
  // both host keys were saved by the first test: no prompt
  assert.deepEqual(promptsOf(info.connectionId), []);
  await logged(() => a.log().slice(beforeA), forwardedTo(c.port));
  assert.doesNotMatch(
    b.log().slice(beforeB),
    forwardedTo(c.port),
    'one hop only, not the config chain',
  );
  const out = await terminalOutput(info.connectionId, 'echo "jumped=$(id -un)"', 'jumped=');
  assert.match(out, /jumped=root/);
  await ws.api.disconnect({ connectionId: info.connectionId });
  await ws.api.disconnect({ connectionId: viaConfig.connectionId });
});

test('ProxyCommand (OpenSSH ssh -W): the saved host key is known, no prompt', async () => {
  const before = a.log().length;
  const info = await ws.api.connect({ target: { kind: 'sshConfig', alias: 'via-command' } });
  const done = await connected(info.connectionId);
  assert.equal(done.state, 'connected', JSON.stringify(done.error));
  assert.deepEqual(promptsOf(info.connectionId), []);
  await logged(() => a.log().slice(before), forwardedTo(c.port));
  const out = await terminalOutput(info.connectionId, 'echo "via=$(id -un)"', 'via=');
  assert.match(out, /via=root/);
  await ws.api.disconnect({ connectionId: info.connectionId });
});

test('a host certificate from an @cert-authority line: connected with no prompt', async () => {
  const info = await ws.api.connect({ target: { kind: 'sshConfig', alias: 'cert-target' } });
  const done = await connected(info.connectionId);
  assert.equal(done.state, 'connected', JSON.stringify(done.error));
  assert.deepEqual(promptsOf(info.connectionId), []);
  await ws.api.disconnect({ connectionId: info.connectionId });
});

test('BatchMode: an unknown host key fails the connection without a prompt', async () => {
  const info = await ws.api.connect({ target: { kind: 'sshConfig', alias: 'batch-target' } });
  const done = await connected(info.connectionId);
  assert.equal(done.state, 'failed');
  assert.equal(done.error?.name, 'HostKeyError');
  assert.deepEqual(promptsOf(info.connectionId), []);
});
