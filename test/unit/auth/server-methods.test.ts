// User authentication, server side, against Keyway's own client authenticate() over an
// in-memory transport pair: every key type, password, keyboard-interactive, partial success
// (AuthenticationMethods), the banner, unknown users, server-sig-algs, and what happens to
// messages after success.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { transportPair } from '../../support/transport-pair.js';
import { testKey, type TestKey, type TestKeyType } from '../../support/key-candidates.js';
import { waitFor } from '../../support/wait.js';
import { generateHostKeyPair } from '../../../core/crypto/hostkey/index.js';
import { authenticate, type AuthOptions } from '../../../core/auth/client.js';
import {
  acceptedPubkeyAlgorithms,
  serveUserAuth,
  type OfferedKey,
  type ServerAuthOptions,
} from '../../../core/auth/server.js';
import { passwordRequest } from '../../../core/auth/messages.js';
import { serverSigAlgs } from '../../../core/transport/ext-info.js';
import { Msg } from '../../../core/wire/messages.js';
import { SshWriter } from '../../../core/wire/writer.js';
import { ConfigError } from '../../../core/errors.js';
import type { Transport } from '../../../core/transport/transport.js';

const hostKeys = [generateHostKeyPair('ssh-ed25519')];
const keys = new Map<TestKeyType, TestKey>();
function key(type: TestKeyType): TestKey {
  let k = keys.get(type);
  if (!k) keys.set(type, (k = testKey(type)));
  return k;
}

function setup<K extends object | true>(opts: ServerAuthOptions<K>) {
  const pair = transportPair({
    hostKeys,
    server: { serverSigAlgs: acceptedPubkeyAlgorithms(opts.pubkeyAlgorithms) },
  });
  const server = serveUserAuth(pair.server, { failureDelayMs: 0, ...opts });
  server.catch(() => {});
  return { pair, server };
}

/**
 * Every payload the client transport hands upward, whoever installs onMessage later (the
 * client's authenticate() replaces it): the handler is wrapped as it is set.
 */
function recordClientMessages(t: Transport): Uint8Array[] {
  const seen: Uint8Array[] = [];
  let inner = t.onMessage;
  Object.defineProperty(t, 'onMessage', {
    get: () => (p: Uint8Array, seq: number) => (seen.push(p.slice()), inner(p, seq)),
    set: (fn: Transport['onMessage']) => (inner = fn),
  });
  return seen;
}

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

interface PolicyCall {
  user: string;
  key: OfferedKey;
  signed: boolean;
}

/** authorized_keys in a callback: accepts `allowed` for alice; the value records the call. */
function keyPolicy(allowed: readonly TestKey[], calls: PolicyCall[] = []) {
  return (user: string, k: OfferedKey, signed: boolean) => {
    calls.push({ user, key: k, signed });
    const ok = user === 'alice' && allowed.some((a) => same(a.pair.publicKey.blob, k.blob));
    return ok ? { restrict: true, signed } : null;
  };
}

const types: TestKeyType[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
];

for (const type of types) {
  test(`publickey ${type}: query, PK_OK, signature, success bound to the key`, async () => {
    const k = key(type);
    const calls: PolicyCall[] = [];
    const { pair, server } = setup({ publickey: keyPolicy([k], calls) });
    const client = await authenticate(pair.client, { username: 'alice', keys: [k.candidate] });
    assert.equal(client.method, 'publickey');
    const r = await server;
    assert.equal(r.user, 'alice');
    assert.equal(r.method, 'publickey');
    assert.deepEqual(r.methods, ['publickey']);
    assert.equal(r.keys.length, 1);
    const accepted = r.keys[0];
    assert.ok(accepted);
    assert.ok(same(accepted.key.blob, k.pair.publicKey.blob));
    assert.equal(accepted.key.type, type);
    assert.equal(accepted.key.algorithm, type === 'ssh-rsa' ? 'rsa-sha2-512' : type);
    // the value is the one returned for the signed request, not for the query
    assert.deepEqual(accepted.value, { restrict: true, signed: true });
    assert.deepEqual(
      calls.map((c) => c.signed),
      [false, true],
    );
    assert.equal(k.loads(), 1);
    pair.client.disconnect();
  });
}

test('RSA: the client signs with what server-sig-algs offers (rsa-sha2-256, and ssh-rsa if listed)', async () => {
  const k = key('ssh-rsa');
  for (const [algs, clientAlgs, want] of [
    [['rsa-sha2-256'], undefined, 'rsa-sha2-256'],
    [['ssh-rsa'], ['ssh-rsa'], 'ssh-rsa'],
  ] as const) {
    const { pair, server } = setup({ publickey: keyPolicy([k]), pubkeyAlgorithms: algs });
    const opts: AuthOptions = {
      username: 'alice',
      keys: [k.candidate],
      ...(clientAlgs ? { pubkeyAlgorithms: clientAlgs } : {}),
    };
    await authenticate(pair.client, opts);
    const r = await server;
    assert.equal(r.keys[0]?.key.algorithm, want);
    pair.client.disconnect();
  }
});

test('server-sig-algs reaches the client through ext-info', async () => {
  const { pair } = setup({ publickey: () => null });
  await pair.client.ready;
  await waitFor(() => pair.client.peerExtensions.has('server-sig-algs'), 'ext-info');
  assert.deepEqual(serverSigAlgs(pair.client.peerExtensions), [
    'ssh-ed25519',
    'ecdsa-sha2-nistp256',
    'ecdsa-sha2-nistp384',
    'ecdsa-sha2-nistp521',
    'rsa-sha2-512',
    'rsa-sha2-256',
  ]);
  assert.throws(() => acceptedPubkeyAlgorithms(['ssh-dss']), ConfigError);
  pair.client.disconnect();
});

test('an unauthorized key is not loaded; the next one is', async () => {
  const good = key('ssh-ed25519');
  const other = testKey('ssh-ed25519', 'other');
  const { pair, server } = setup({ publickey: keyPolicy([good]) });
  await authenticate(pair.client, { username: 'alice', keys: [other.candidate, good.candidate] });
  assert.equal(other.loads(), 0);
  assert.ok(same((await server).keys[0]?.key.blob ?? new Uint8Array(), good.pair.publicKey.blob));
  pair.client.disconnect();
});

test('password: wrong, then right', async () => {
  const seen: string[] = [];
  const { pair, server } = setup({
    password: async (user, pw) => (seen.push(`${user}:${pw}`), user === 'alice' && pw === 'right'),
  });
  const answers = ['wrong', 'right'];
  const client = await authenticate(pair.client, {
    username: 'alice',
    password: async () => answers.shift() ?? null,
  });
  assert.equal(client.method, 'password');
  const r = await server;
  assert.equal(r.method, 'password');
  assert.deepEqual(r.keys, []);
  assert.deepEqual(seen, ['alice:wrong', 'alice:right']);
  pair.client.disconnect();
});

test('keyboard-interactive: several prompts over two rounds', async () => {
  const { pair, server } = setup({
    keyboardInteractive: async (user, c) => {
      const first = await c.prompt({
        name: 'Two factors',
        instruction: 'Password and colour',
        prompts: [
          { prompt: 'Password: ', echo: false },
          { prompt: 'Colour: ', echo: true },
        ],
      });
      if (first[0] !== 'sesame' || first[1] !== 'blue') return false;
      const second = await c.prompt({ prompts: [{ prompt: 'PIN: ', echo: false }] });
      return user === 'alice' && second[0] === '1234';
    },
  });
  const seen: string[][] = [];
  await authenticate(pair.client, {
    username: 'alice',
    keyboardInteractive: async (req) => {
      seen.push([req.name, req.instruction, ...req.prompts.map((p) => `${p.prompt}${p.echo}`)]);
      return req.prompts.map((p) =>
        p.prompt.startsWith('Password')
          ? 'sesame'
          : p.prompt.startsWith('Colour')
            ? 'blue'
            : '1234',
      );
    },
  });
  assert.deepEqual(seen, [
    ['Two factors', 'Password and colour', 'Password: false', 'Colour: true'],
    ['', '', 'PIN: false'],
  ]);
  assert.equal((await server).method, 'keyboard-interactive');
  pair.client.disconnect();
});

test('keyboard-interactive: wrong answers fail, the retry succeeds', async () => {
  let rounds = 0;
  const { pair, server } = setup({
    keyboardInteractive: async (_u, c) => {
      rounds++;
      const [a] = await c.prompt({ prompts: [{ prompt: 'Code: ', echo: true }] });
      return a === 'ok';
    },
  });
  const answers = ['no', 'ok'];
  await authenticate(pair.client, {
    username: 'alice',
    keyboardInteractive: async () => [answers.shift() ?? ''],
  });
  assert.equal((await server).method, 'keyboard-interactive');
  assert.equal(rounds, 2);
  pair.client.disconnect();
});

test('AuthenticationMethods publickey,password: partial success, then password', async () => {
  const k = key('ecdsa-sha2-nistp256');
  const passwordUsers: string[] = [];
  const { pair, server } = setup({
    methods: [['publickey', 'password']],
    publickey: keyPolicy([k]),
    password: (user, pw) => (passwordUsers.push(user), pw === 'right'),
  });
  const seen = recordClientMessages(pair.client);
  await authenticate(pair.client, {
    username: 'alice',
    keys: [k.candidate],
    password: async () => 'right',
  });
  const r = await server;
  assert.deepEqual(r.methods, ['publickey', 'password']);
  assert.equal(r.method, 'password');
  assert.equal(r.keys.length, 1);
  assert.deepEqual(passwordUsers, ['alice']);
  // none → [publickey]; signed publickey → [password], partial success
  const failures = seen.filter((p) => p[0] === Msg.USERAUTH_FAILURE);
  const decoded = failures.map((f) => [Buffer.from(f.subarray(5, -1)).toString(), f.at(-1)]);
  assert.deepEqual(decoded, [
    ['publickey', 0],
    ['password', 1],
  ]);
  pair.client.disconnect();
});

test('AuthenticationMethods: a password before the publickey step is refused unasked', async () => {
  let asked = 0;
  const { pair, server } = setup({
    methods: [['publickey', 'password']],
    publickey: () => null,
    password: () => (asked++, true),
  });
  await assert.rejects(
    authenticate(pair.client, { username: 'alice', password: async () => 'x' }),
    /Permission denied \(publickey\)/,
  );
  assert.equal(asked, 0);
  pair.client.disconnect();
  await assert.rejects(server);
});

test('AuthenticationMethods publickey,publickey needs two different keys', async () => {
  const a = key('ssh-ed25519');
  const b = key('ecdsa-sha2-nistp384');
  const { pair, server } = setup({
    methods: [['publickey', 'publickey']],
    publickey: keyPolicy([a, b]),
  });
  await authenticate(pair.client, {
    username: 'alice',
    keys: [a.candidate, a.candidate, b.candidate],
  });
  const r = await server;
  assert.deepEqual(
    r.keys.map((x) => x.key.type),
    ['ssh-ed25519', 'ecdsa-sha2-nistp384'],
  );
  pair.client.disconnect();
});

test('the banner reaches the client before the first reply', async () => {
  const banners: string[] = [];
  const { pair, server } = setup({ banner: 'Authorized use only.\n', password: () => true });
  await authenticate(pair.client, {
    username: 'alice',
    password: async () => 'x',
    onBanner: (t) => banners.push(t),
  });
  assert.deepEqual(banners, ['Authorized use only.\n']);
  await server;
  pair.client.disconnect();
});

test('unknown users: the callbacks are asked, and the replies are the same bytes', async () => {
  const k = key('ssh-ed25519');
  const stranger = testKey('ssh-ed25519', 'stranger');
  async function replies(user: string): Promise<{ bytes: string[]; asked: string[] }> {
    const asked: string[] = [];
    const { pair, server } = setup({
      publickey: (u, o) => (
        asked.push(`pk:${u}`),
        u === 'alice' && same(o.blob, k.pair.publicKey.blob) ? true : null
      ),
      password: (u, pw) => (asked.push(`pw:${u}`), u === 'alice' && pw === 'right'),
    });
    const seen = recordClientMessages(pair.client);
    await assert.rejects(
      authenticate(pair.client, {
        username: user,
        keys: [stranger.candidate],
        password: async () => 'guess',
        maxPrompts: 2,
      }),
      /Permission denied/,
    );
    pair.client.disconnect();
    await assert.rejects(server);
    return { bytes: seen.map((p) => Buffer.from(p).toString('hex')), asked };
  }
  const known = await replies('alice');
  const unknown = await replies('mallory');
  assert.deepEqual(unknown.bytes, known.bytes);
  assert.deepEqual(unknown.asked, ['pk:mallory', 'pw:mallory', 'pw:mallory']);
  assert.deepEqual(known.asked, ['pk:alice', 'pw:alice', 'pw:alice']);
});

test('after success: auth requests are ignored, pipelined connection messages wait in pending', async () => {
  // a slow check, so the messages behind the request queue up while it runs
  const slow = (pw: string) => new Promise<boolean>((r) => setTimeout(() => r(pw === 'right'), 30));
  const { pair, server } = setup({ password: (_u, pw) => slow(pw) });
  await pair.client.ready;
  await pair.client.requestService('ssh-userauth');
  const channelOpen = new SshWriter()
    .writeByte(Msg.CHANNEL_OPEN)
    .writeString('session')
    .writeUint32(0)
    .writeUint32(65536)
    .writeUint32(32768)
    .toBytes();
  pair.client.send(passwordRequest('alice', 'right'));
  pair.client.send(passwordRequest('alice', 'again')); // pipelined behind the success
  pair.client.send(channelOpen);
  const r = await server;
  assert.deepEqual(
    r.pending.map((p) => Buffer.from(p).toString('hex')),
    [Buffer.from(channelOpen).toString('hex')],
  );
  const seq = pair.client.writer.seq;
  pair.client.send(passwordRequest('alice', 'later')); // ignored (RFC 4252 §5.1)
  pair.client.send(Uint8Array.of(200)); // not a known type: UNIMPLEMENTED for it, only
  const debug: string[] = [];
  pair.client.onDebug = (m) => debug.push(m);
  await waitFor(() => debug.length > 0, 'UNIMPLEMENTED');
  assert.deepEqual(debug, [`peer answered UNIMPLEMENTED for packet ${seq + 1}`]);
  assert.deepEqual(
    pair.clientMessages.map((p) => p[0]),
    [Msg.USERAUTH_SUCCESS],
  );
  pair.client.disconnect();
});

test('options are checked at once', () => {
  const { pair } = setup({ password: () => true });
  const t = pair.server;
  assert.throws(() => serveUserAuth(t, {}), /no authentication method/);
  assert.throws(() => serveUserAuth(t, { methods: [['password']] }), /password has no callback/);
  assert.throws(() => serveUserAuth(t, { password: () => true, methods: [[]] }), /empty/);
  assert.throws(() => serveUserAuth(t, { password: () => true, maxAuthTries: 0 }), ConfigError);
  pair.client.disconnect();
});
