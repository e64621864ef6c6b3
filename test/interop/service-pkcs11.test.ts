/**
 * Smartcard keys in the app: the service connects to Debian's sshd with a SoftHSM2 token's key
 * (PKCS11Provider in a temp ~/.ssh/config), driven through the browser host's real WebSocket.
 * The token's PIN is a `pin` prompt naming the token; the right PIN connects, and while that
 * connection holds the token another connection uses it without asking; a cancelled prompt
 * or a wrong PIN fails the connection cleanly, and BatchMode never asks.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectionInfo, Prompt } from '../../core/service/api/contract.js';
import { createService, type Service } from '../../core/service/service.js';
import { startWebHost, type WebHost } from '../../core/service/web/web-host.js';
import { openServiceClient, type TestServiceClient } from '../support/service-client.js';
import { createSoftHsmToken, SOFTHSM_MODULE, type SoftHsmToken } from '../support/softhsm.js';
import { waitFor } from '../support/wait.js';
import { ensureTestUser, startOpenSsh, type RunningServer } from './harness/index.js';

let token: SoftHsmToken;
let server: RunningServer;
let service: Service;
let host: WebHost;
let ws: TestServiceClient;
let testUser: string;

before(async () => {
  token = createSoftHsmToken({ keys: [{ keyType: 'EC:prime256v1', id: '01', label: 'ec key' }] });
  // the module reads it when the service first loads it, in this process
  process.env['SOFTHSM2_CONF'] = token.conf;
  const authorized = token.opensshKeys();
  testUser = ensureTestUser().user;
  server = await startOpenSsh({ authorizedKeys: authorized });
  const home = token.dir.path('home');
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  const block = (name: string, extra: string[]) => [
    `Host ${name}`,
    '  HostName 127.0.0.1',
    `  Port ${server.port}`,
    `  PKCS11Provider ${SOFTHSM_MODULE}`,
    '  IdentitiesOnly yes',
    '  PasswordAuthentication no',
    '  KbdInteractiveAuthentication no',
    '  StrictHostKeyChecking no',
    `  UserKnownHostsFile ${token.dir.path('known_hosts')}`,
    ...extra.map((l) => `  ${l}`),
    '  User root',
  ];
  writeFileSync(
    join(home, '.ssh', 'config'),
    [
      ...block('card', []),
      // other users: the service keeps one connection per user@host:port
      ...block('card-batch', ['BatchMode yes', `User ${testUser}`]),
      ...block('card-other', [`User ${testUser}`]),
      '',
    ].join('\n'),
  );
  service = createService({
    home,
    dataDir: token.dir.path('data'),
    agentPath: null,
    globalKnownHostsFiles: [],
    onWarning: () => {},
  });
  host = await startWebHost({ service, uiDir: token.dir.path('ui') });
  ws = await openServiceClient(host.wsUrl, host.origin);
});

after(async () => {
  await ws?.close();
  service?.close();
  await host?.close();
  await server?.stop();
  delete process.env['SOFTHSM2_CONF'];
  token?.cleanup();
});

/** The prompts of connection `id` recorded from event index `from`. */
const promptsOf = (id: string, from = 0) =>
  ws.events
    .slice(from)
    .filter((e) => e.name === 'prompt' && (e.payload as Prompt).connectionId === id)
    .map((e) => e.payload as Prompt);

/** The first state of `id` from event index `from` that is one of `states`. */
async function stateFrom(id: string, from: number, states: string[]): Promise<ConnectionInfo> {
  let found: ConnectionInfo | undefined;
  await waitFor(
    () =>
      (found = ws.events
        .slice(from)
        .filter((e) => e.name === 'connectionState')
        .map((e) => e.payload as ConnectionInfo)
        .find((p) => p.connectionId === id && states.includes(p.state))) !== undefined,
    `${id}: ${states.join(' or ')}`,
    20_000,
  );
  return found as ConnectionInfo;
}

/** Connects to `alias`; answers its PIN prompt with `pin` (null: cancel) unless `pin` is absent. */
async function connect(alias: string, pin?: string | null) {
  const from = ws.events.length;
  const info = await ws.api.connect({ target: { kind: 'sshConfig', alias } });
  const id = info.connectionId;
  if (pin !== undefined) {
    await waitFor(() => promptsOf(id, from).length > 0, 'the PIN prompt', 20_000);
    const p = promptsOf(id, from)[0] as Prompt;
    await ws.api.answerPrompt({ promptId: p.promptId, answer: { kind: 'secret', value: pin } });
  }
  const done = await stateFrom(id, from, ['connected', 'failed']);
  return { id, prompts: promptsOf(id, from), done };
}

/** Disconnects `id` and waits until it is: the module closes with its last connection. */
async function disconnect(id: string) {
  const from = ws.events.length;
  await ws.api.disconnect({ connectionId: id });
  await stateFrom(id, from, ['disconnected']);
}

test('BatchMode: no PIN prompt, the connection fails', async () => {
  const { prompts, done } = await connect('card-batch');
  assert.equal(done.state, 'failed');
  assert.deepEqual(prompts, []);
});

test('the PIN is a prompt naming the token; the right one connects with the card key', async () => {
  const { id, prompts, done } = await connect('card', token.pin);
  assert.equal(done.state, 'connected', JSON.stringify(done.error));
  assert.equal(prompts.length, 1, 'asked once');
  const [p] = prompts;
  assert.deepEqual(p?.kind === 'pin' && { kind: p.kind, token: p.token, pinStatus: p.pinStatus }, {
    kind: 'pin',
    token: 'keyway test',
    pinStatus: 'ok',
  });
  const t = await ws.api.openTerminal({ connectionId: id, cols: 80, rows: 24 });
  const tap = ws.terminal(t.terminalId);
  await ws.api.writeTerminal({ terminalId: t.terminalId, data: 'echo "card=$(id -un)"; exit\n' });
  await waitFor(() => /card=root/.test(tap.text()), 'the shell on the card key');

  // while this connection holds the token logged in, another one uses it without asking
  const other = await connect('card-other');
  assert.equal(other.done.state, 'connected', JSON.stringify(other.done.error));
  assert.notEqual(other.id, id);
  assert.deepEqual(other.prompts, []);
  await disconnect(other.id);
  await disconnect(id);
});

test('a cancelled PIN prompt or a wrong PIN fails the connection, asked once', async () => {
  for (const pin of [null, '000000']) {
    const { prompts, done } = await connect('card', pin);
    assert.equal(done.state, 'failed', `PIN ${pin}`);
    assert.match(done.error?.message ?? '', /Permission denied|publickey/, `PIN ${pin}`);
    assert.equal(prompts.length, 1, `PIN ${pin}: asked once`);
  }
  // the token still works with the right PIN afterwards
  const { id, done } = await connect('card', token.pin);
  assert.equal(done.state, 'connected', JSON.stringify(done.error));
  await disconnect(id);
});
