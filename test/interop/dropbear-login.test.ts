/**
 * Logins and sessions against dropbear: 2025.89 (trixie, authorized_keys through -D) as root,
 * and the host's 2022.83 (bookworm, which reads only ~/.ssh/authorized_keys) as the keyway-test
 * user. Publickey from ssh-keygen files of every type, RSA signing with rsa-sha2-256 (dropbear
 * has no rsa-sha2-512); an encrypted key; password (dropbear has no keyboard-interactive, so
 * the client falls back to password); Permission denied with the methods left; -t (key and
 * password both), the -b banner and the -T limit. Then sessions: exec, exit-signal (and none
 * for a signal dropbear cannot name), the signal request, env and break (which dropbear
 * refuses), 32 MiB through `cat`, and on bookworm a pty with window-change (the trixie root
 * has no devpts).
 *
 * Dropbear lets at most 5 unauthenticated connections per address in at once: every test here
 * closes its connection before the next one starts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ensureTestUser,
  setTestUserAuthorizedKeys,
  startDropbear,
  TEST_USER,
  type Flavor,
  type RunningServer,
} from './harness/index.js';
import { authenticate, type KeyCandidate } from '../../core/auth/client.js';
import { AuthError } from '../../core/auth/errors.js';
import { connect, type SshClient } from '../../core/client/connect.js';
import { gatherIdentities } from '../../core/client/identities.js';
import { ChannelClosedError, ConnectionLost } from '../../core/errors.js';
import { serverSigAlgs } from '../../core/transport/ext-info.js';
import { openTransport } from '../../core/transport/open.js';
import { authNone } from '../support/probe.js';
import { waitFor } from '../support/wait.js';
import { collect } from '../support/session-output.js';

interface KeyKind {
  readonly name: string;
  readonly keygen: readonly string[];
  /** The key type as dropbear logs it. */
  readonly type: string;
  /** What the client must sign with. */
  readonly algorithm: string;
}

const KEY_KINDS: readonly KeyKind[] = [
  { name: 'ed25519', keygen: ['-t', 'ed25519'], type: 'ssh-ed25519', algorithm: 'ssh-ed25519' },
  {
    name: 'ecdsa256',
    keygen: ['-t', 'ecdsa', '-b', '256'],
    type: 'ecdsa-sha2-nistp256',
    algorithm: 'ecdsa-sha2-nistp256',
  },
  {
    name: 'ecdsa384',
    keygen: ['-t', 'ecdsa', '-b', '384'],
    type: 'ecdsa-sha2-nistp384',
    algorithm: 'ecdsa-sha2-nistp384',
  },
  {
    name: 'ecdsa521',
    keygen: ['-t', 'ecdsa', '-b', '521'],
    type: 'ecdsa-sha2-nistp521',
    algorithm: 'ecdsa-sha2-nistp521',
  },
  // dropbear verifies rsa-sha2-256 and (bookworm only) SHA-1 ssh-rsa, never rsa-sha2-512
  {
    name: 'rsa2048',
    keygen: ['-t', 'rsa', '-b', '2048'],
    type: 'ssh-rsa',
    algorithm: 'rsa-sha2-256',
  },
  {
    name: 'rsa4096',
    keygen: ['-t', 'rsa', '-b', '4096'],
    type: 'ssh-rsa',
    algorithm: 'rsa-sha2-256',
  },
];

const PASSPHRASE = 'correct horse';

let dir = '';
const key = (name: string) => join(dir, name);
/** authorized_keys lines of every KEY_KINDS key and of 'enc'; 'stranger' is in no file. */
const authorized: string[] = [];

function keygen(name: string, args: readonly string[], passphrase = ''): string {
  execFileSync('ssh-keygen', ['-q', ...args, '-N', passphrase, '-C', name, '-f', key(name)]);
  return readFileSync(`${key(name)}.pub`, 'utf8').trim();
}

/** SHA256:… as dropbear and ssh-keygen print it, from an authorized_keys line. */
function fingerprint(line: string): string {
  const blob = Buffer.from(line.split(' ')[1] ?? '', 'base64');
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'keyway-dropbear-'));
  for (const k of KEY_KINDS) authorized.push(keygen(k.name, k.keygen));
  authorized.push(keygen('enc', ['-t', 'ed25519'], PASSPHRASE));
  keygen('stranger', ['-t', 'ed25519']);
  // bookworm's dropbear reads only ~keyway-test/.ssh/authorized_keys
  setTestUserAuthorizedKeys(authorized);
});

after(() => {
  setTestUserAuthorizedKeys([]);
  rmSync(dir, { recursive: true, force: true });
});

/** The key file's candidates as connect() makes them, each signature's algorithm recorded. */
async function fileCandidates(files: string[], signedWith: string[]): Promise<KeyCandidate[]> {
  const ids = await gatherIdentities({
    files,
    explicit: true,
    identitiesOnly: true,
    agentPath: null,
    warn: (m) => assert.fail(`unexpected warning: ${m}`),
  });
  return ids.candidates.map((c) => ({
    publicKey: c.publicKey,
    algorithms: c.algorithms,
    source: c.source,
    signer: async () => {
      const s = await c.signer();
      if (!s) return null;
      return {
        publicKey: s.publicKey,
        comment: s.comment,
        source: s.source,
        algorithms: s.algorithms,
        sign: (alg: string, data: Uint8Array) => (signedWith.push(alg), s.sign(alg, data)),
      };
    },
  }));
}

/** authenticate() on a fresh transport; the server's server-sig-algs with the result. */
async function login(server: RunningServer, o: Parameters<typeof authenticate>[1]) {
  const { transport } = await openTransport({
    host: '127.0.0.1',
    port: server.port,
    verifyHostKey: () => true,
  });
  try {
    const r = await authenticate(transport, o);
    return { ...r, serverSigAlgs: serverSigAlgs(transport.peerExtensions) };
  } finally {
    transport.disconnect();
  }
}

/** The methods dropbear lists in answer to "none". */
async function methodsOffered(server: RunningServer, user: string): Promise<string[]> {
  const { transport } = await openTransport({
    host: '127.0.0.1',
    port: server.port,
    verifyHostKey: () => true,
  });
  try {
    await transport.requestService('ssh-userauth');
    return await authNone(transport, user);
  } finally {
    transport.disconnect();
  }
}

const FLAVORS: readonly { flavor: Flavor; user: string; version: RegExp }[] = [
  { flavor: 'trixie', user: 'root', version: /^dropbear_2025\.\d+$/ },
  { flavor: 'bookworm', user: TEST_USER, version: /^dropbear_2022\.\d+$/ },
];

function startFor(flavor: Flavor, extraConfig: string[] = []): Promise<RunningServer> {
  return flavor === 'trixie'
    ? startDropbear({ flavor, authorizedKeys: authorized, extraConfig })
    : startDropbear({ flavor, extraConfig });
}

for (const { flavor, user, version } of FLAVORS) {
  describe(`publickey, dropbear (${flavor}) as ${user}`, () => {
    let server: RunningServer;
    before(async () => {
      server = await startFor(flavor);
      assert.match(server.version, version);
    });
    after(() => server?.stop());

    test('password logins are off by default (-s): only publickey is listed', async () => {
      assert.deepEqual(await methodsOffered(server, user), ['publickey']);
    });

    for (const k of KEY_KINDS) {
      test(`a ${k.name} key file from ssh-keygen signs with ${k.algorithm}`, async () => {
        const signedWith: string[] = [];
        const r = await login(server, {
          username: user,
          keys: await fileCandidates([key(k.name)], signedWith),
        });
        assert.equal(r.method, 'publickey');
        assert.deepEqual(signedWith, [k.algorithm]);
        if (k.type === 'ssh-rsa') {
          // what the choice was made from: SHA-2 only with 256 bits, SHA-1 only on 2022.83
          assert.ok(r.serverSigAlgs.includes('rsa-sha2-256'), r.serverSigAlgs.join(','));
          assert.ok(!r.serverSigAlgs.includes('rsa-sha2-512'), r.serverSigAlgs.join(','));
          assert.equal(r.serverSigAlgs.includes('ssh-rsa'), flavor === 'bookworm');
        }
        const line = authorized[KEY_KINDS.indexOf(k)] ?? '';
        const logged = `Pubkey auth succeeded for '${user}' with ${k.type} key ${fingerprint(line)}`;
        await waitFor(() => server.log().includes(logged), `dropbear logs "${logged}"`);
      });
    }

    test('a key dropbear does not know: Permission denied (publickey), no password asked', async () => {
      let asked = 0;
      await assert.rejects(
        login(server, {
          username: user,
          keys: await fileCandidates([key('stranger')], []),
          password: async () => (asked++, 'irrelevant'),
        }),
        (e: unknown) => {
          assert.ok(e instanceof AuthError, String(e));
          assert.equal(e.message, 'Permission denied (publickey).');
          assert.deepEqual(e.methodsLeft, ['publickey']);
          return true;
        },
      );
      assert.equal(asked, 0);
    });
  });
}

describe('an encrypted key file, dropbear (trixie)', () => {
  let server: RunningServer;
  before(async () => {
    server = await startDropbear({ flavor: 'trixie', authorizedKeys: authorized });
  });
  after(() => server?.stop());

  test('the passphrase is asked once, for the key dropbear takes only', async () => {
    const asked: string[] = [];
    const c = await connect({
      host: '127.0.0.1',
      port: server.port,
      username: 'root',
      verifyHostKey: () => true,
      agentPath: null,
      identitiesOnly: true,
      identityFiles: [key('stranger'), key('enc')],
      passphrase: async (p) => (asked.push(p.path), PASSPHRASE),
    });
    try {
      assert.equal(c.authMethod, 'publickey');
      assert.deepEqual(asked, [key('enc')]);
      const s = await c.openSession();
      await s.exec('echo in');
      const r = await collect(s);
      assert.equal(r.out, 'in\n', JSON.stringify(r));
    } finally {
      c.close();
    }
  });
});

describe('password, dropbear (bookworm) without -s', () => {
  let server: RunningServer;
  let password = '';
  before(async () => {
    password = ensureTestUser().password;
    server = await startDropbear({ passwords: true });
  });
  after(() => server?.stop());

  const badAttempts = () =>
    server.log().split(`Bad password attempt for '${TEST_USER}'`).length - 1;

  test('dropbear lists publickey and password, no keyboard-interactive', async () => {
    assert.deepEqual(await methodsOffered(server, TEST_USER), ['publickey', 'password']);
  });

  test('a refused key, then a wrong password, then the right one; keyboard-interactive is never tried', async () => {
    const attempts: number[] = [];
    const answers = ['not it', password];
    let kbd = 0;
    const bad0 = badAttempts();
    const r = await login(server, {
      username: TEST_USER,
      keys: await fileCandidates([key('stranger')], []),
      password: async (p) => (attempts.push(p.attempt), answers.shift() ?? null),
      keyboardInteractive: async () => (kbd++, null),
    });
    assert.equal(r.method, 'password');
    assert.deepEqual(attempts, [1, 2]);
    assert.equal(kbd, 0);
    await waitFor(
      () => server.log().includes(`Password auth succeeded for '${TEST_USER}'`),
      'dropbear logs the password login',
    );
    assert.equal(badAttempts() - bad0, 1);
  });

  test('connect() with keyboard-interactive allowed falls back to password and opens a session', async () => {
    let kbd = 0;
    const c = await connect({
      host: '127.0.0.1',
      port: server.port,
      username: TEST_USER,
      verifyHostKey: () => true,
      agentPath: null,
      allow: { publickey: false, keyboardInteractive: true, password: true },
      keyboardInteractive: async () => (kbd++, null),
      password: async () => password,
    });
    try {
      assert.equal(c.authMethod, 'password');
      assert.equal(kbd, 0);
      const s = await c.openSession();
      await s.exec('id -un');
      assert.deepEqual(await collect(s), { out: `${TEST_USER}\n`, err: '', exit: { code: 0 } });
    } finally {
      c.close();
    }
  });

  test('three wrong passwords: Permission denied (publickey,password)', async () => {
    let asked = 0;
    const bad0 = badAttempts();
    await assert.rejects(
      login(server, { username: TEST_USER, password: async () => (asked++, 'wrong') }),
      (e: unknown) => {
        assert.ok(e instanceof AuthError, String(e));
        assert.equal(e.message, 'Permission denied (publickey,password).');
        assert.deepEqual(e.methodsLeft, ['publickey', 'password']);
        return true;
      },
    );
    assert.equal(asked, 3);
    await waitFor(() => badAttempts() - bad0 === 3, 'dropbear logs three bad passwords');
  });

  test('keyboard-interactive alone gets nowhere: Permission denied, its callback never asked', async () => {
    let kbd = 0;
    await assert.rejects(
      login(server, {
        username: TEST_USER,
        allow: { password: false },
        keyboardInteractive: async () => (kbd++, [password]),
      }),
      (e: unknown) => e instanceof AuthError && e.methodsLeft.join(',') === 'publickey,password',
    );
    assert.equal(kbd, 0);
  });
});

describe('dropbear (bookworm) -t: publickey and password both required; -b banner; -T tries', () => {
  let server: RunningServer;
  let password = '';
  before(async () => {
    password = ensureTestUser().password;
    writeFileSync(key('banner'), 'Authorised use only\n');
    server = await startDropbear({
      passwords: true,
      extraConfig: ['-t', '-b', key('banner'), '-T', '2'],
    });
  });
  after(() => server?.stop());

  test('the key answers with partial success, then the password finishes; the banner comes first', async () => {
    const banners: string[] = [];
    let asked = 0;
    const r = await login(server, {
      username: TEST_USER,
      keys: await fileCandidates([key('stranger'), key('ed25519')], []),
      password: async () => (asked++, password),
      onBanner: (b) => banners.push(b),
    });
    assert.equal(r.method, 'password');
    assert.equal(asked, 1);
    assert.deepEqual(banners, ['Authorised use only\n']);
    await waitFor(
      () => /Pubkey auth succeeded for 'keyway-test' .*, extra auth required/.test(server.log()),
      'dropbear logs the partial success',
    );
  });

  test('the key alone is not enough: Permission denied (password)', async () => {
    await assert.rejects(
      login(server, { username: TEST_USER, keys: await fileCandidates([key('ed25519')], []) }),
      (e: unknown) => e instanceof AuthError && e.methodsLeft.join(',') === 'password',
    );
  });

  test('dropbear hangs up at its limit of tries (-T 2): ConnectionLost, not a hang', async () => {
    let asked = 0;
    await assert.rejects(
      login(server, {
        username: TEST_USER,
        maxPrompts: 5,
        password: async () => (asked++, 'wrong'),
      }),
      (e: unknown) => e instanceof ConnectionLost,
    );
    // the second FAILURE never comes: dropbear exits with it still in its write queue, which
    // its session_cleanup() frees unsent
    assert.equal(asked, 2);
    await waitFor(
      () => server.log().includes("Max auth tries reached - user 'keyway-test'"),
      'dropbear logs the limit',
    );
  });
});

/** Waits until `pattern` shows in what has been read; returns its match. */
async function until(read: () => string, pattern: RegExp, what: string): Promise<RegExpMatchArray> {
  let m: RegExpMatchArray | null = null;
  await waitFor(() => (m = pattern.exec(read())) !== null, what);
  return m ?? assert.fail(what);
}

const MiB = 1024 * 1024;

for (const { flavor, user } of FLAVORS) {
  describe(`sessions, dropbear (${flavor}) as ${user}`, () => {
    let server: RunningServer;
    let c: SshClient;
    before(async () => {
      // -K 1: a keepalive every idle second, and a hang-up after 3 s without a packet from us
      server = await startFor(flavor, ['-K', '1']);
      c = await connect({
        host: '127.0.0.1',
        port: server.port,
        username: user,
        verifyHostKey: () => true,
        agentPath: null,
        identitiesOnly: true,
        identityFiles: [key('ed25519')],
      });
    });
    after(async () => {
      c?.close();
      await server?.stop();
    });

    test('exec keeps stdout, stderr and the exit status apart', async () => {
      const s = await c.openSession();
      await s.exec('echo out; echo err >&2; exit 3');
      assert.deepEqual(await collect(s), { out: 'out\n', err: 'err\n', exit: { code: 3 } });
    });

    test('a command killed by a signal: exit-signal TERM, no core, empty message', async () => {
      const s = await c.openSession();
      await s.exec('echo before; kill -TERM $$; echo after');
      assert.deepEqual(await collect(s), {
        out: 'before\n',
        err: '',
        exit: { signal: 'TERM', coreDumped: false, message: '' },
      });
    });

    test('the signal request reaches the command', async () => {
      const s = await c.openSession();
      let out = '';
      s.stdout.on('data', (d: Buffer) => (out += d.toString()));
      s.stderr.resume();
      // the echo shows the shell is running: dropbear signals the pid it forked
      await s.exec('echo ready; exec sleep 60');
      await waitFor(() => out === 'ready\n', 'the command starts');
      s.signal('USR1');
      assert.deepEqual(await s.exit, { signal: 'USR1', coreDumped: false, message: '' });
      await s.closed;
    });

    test('env is refused (dropbear has no env request) and the variable stays unset', async () => {
      const s = await c.openSession();
      assert.equal(await s.env('KEYWAY_DROPBEAR', 'set'), false);
      await s.exec('echo "[${KEYWAY_DROPBEAR-unset}]"');
      assert.deepEqual(await collect(s), { out: '[unset]\n', err: '', exit: { code: 0 } });
    });

    test('break is refused (dropbear has no break request)', async () => {
      const s = await c.openSession();
      // the command waits for a byte, so the channel is still open when the break goes out
      await s.exec('head -c 1 >/dev/null; echo ok');
      assert.equal(await s.sendBreak(100), false);
      s.stdin.end('x');
      assert.deepEqual(await collect(s), { out: 'ok\n', err: '', exit: { code: 0 } });
    });

    test('a signal dropbear has no name for: neither exit-status nor exit-signal, exit rejects', async () => {
      const s = await c.openSession();
      // SIGVTALRM ends the shell; dropbear's table names only ABRT … USR2 and then sends nothing
      await s.exec('kill -VTALRM $$');
      s.stdout.resume();
      s.stderr.resume();
      await assert.rejects(s.exit, (e: unknown) => e instanceof ChannelClosedError);
      await s.closed;
    });

    test('keepalive requests on the channel are answered: a command outlives 3 idle seconds', async () => {
      // dropbear (-K 1) asks keepalive@openssh.com on an open channel, want-reply; a client that
      // stays silent is cut off with "Keepalive timeout" after 3 s
      const s = await c.openSession();
      const asked: string[] = [];
      const handle = s.channel.onRequest;
      s.channel.onRequest = (r, answer) => {
        if (r.wantReply) asked.push(r.type);
        handle(r, answer);
      };
      await s.exec('sleep 4; echo alive');
      assert.deepEqual(await collect(s), { out: 'alive\n', err: '', exit: { code: 0 } });
      assert.ok(asked.length >= 3, `keepalives: ${asked.length}`);
      assert.deepEqual(new Set(asked), new Set(['keepalive@openssh.com']));
      assert.doesNotMatch(server.log(), /Keepalive timeout/);
    });

    test('32 MiB through cat both ways, sha256 equal', async (t) => {
      const s = await c.openSession();
      await s.exec('cat');
      const sent = createHash('sha256');
      const got = createHash('sha256');
      let received = 0;
      s.stdout.on('data', (d: Buffer) => {
        got.update(d);
        received += d.length;
      });
      s.stderr.resume();
      const t0 = Date.now();
      const block = Buffer.alloc(MiB);
      for (let i = 0; i < 32; i++) {
        for (let off = 0; off < MiB; off += 4) block.writeUInt32BE((i * MiB + off) >>> 0, off);
        sent.update(block);
        if (!s.stdin.write(Buffer.from(block))) await new Promise((r) => s.stdin.once('drain', r));
      }
      s.stdin.end();
      assert.deepEqual(await s.exit, { code: 0 });
      await s.closed;
      t.diagnostic(`${((32 * 1000) / (Date.now() - t0)).toFixed(1)} MiB/s each way`);
      assert.equal(received, 32 * MiB);
      assert.equal(got.digest('hex'), sent.digest('hex'));
    });

    if (flavor === 'bookworm') {
      // (the trixie root has no devpts mounted: its dropbear cannot allocate a pty)
      test('a pty: tty, TERM and the size asked for, then window-change in the same shell', async () => {
        const s = await c.openSession();
        assert.equal(await s.requestPty({ term: 'vt220', cols: 91, rows: 27 }), true);
        let out = '';
        s.stdout.on('data', (d: Buffer) => (out += d.toString()));
        s.stderr.resume();
        await s.shell();
        // The pty echoes what is typed: the markers match only the shell's output, since the
        // echoed command line holds `$(…)` where the output holds its value.
        s.stdin.write('echo "T$(tty)T E${TERM}E S$(stty size)S"\n');
        const m = await until(() => out, /T(\S+)T E(\S*)E S(\d+ \d+)S/, 'tty, TERM and size');
        assert.match(m[1] ?? '', /^\/dev\/pts\/\d+$/);
        assert.equal(m[2], 'vt220');
        assert.equal(m[3], '27 91');
        s.windowChange(132, 43);
        s.stdin.write('echo "W$(stty size)W"\n');
        const w = await until(() => out, /W(\d+ \d+)W/, 'the new size');
        assert.equal(w[1], '43 132');
        s.stdin.write('exit 5\n');
        assert.deepEqual(await s.exit, { code: 5 });
        await s.closed;
      });
    }
  });
}
