/**
 * User authentication against OpenSSH's sshd (bookworm): publickey for every key type with
 * RSA picking SHA-2 from server-sig-algs, the query-before-load order, password,
 * keyboard-interactive, AuthenticationMethods publickey,password, banners, and "Permission
 * denied" when nothing works.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOpenSsh, ensureTestUser, type ServerOptions } from './harness/index.js';
import { openTransport } from '../../core/transport/open.js';
import { authenticate, type AuthOptions } from '../../core/auth/client.js';
import { AuthError } from '../../core/auth/errors.js';
import { testKey, type TestKeyType } from '../support/key-candidates.js';
import { logged } from '../support/wait.js';

async function withServer<T>(
  opts: ServerOptions,
  fn: (port: number, log: () => string) => Promise<T>,
): Promise<T> {
  const s = await startOpenSsh(opts);
  try {
    return await fn(s.port, () => s.log());
  } finally {
    await s.stop();
  }
}

async function login(port: number, o: AuthOptions) {
  const { transport } = await openTransport({ host: '127.0.0.1', port, verifyHostKey: () => true });
  try {
    return await authenticate(transport, o);
  } finally {
    transport.disconnect();
  }
}

const PASSWORD_ON = ['PasswordAuthentication yes'];
const KBD_ON = ['UsePAM yes', 'KbdInteractiveAuthentication yes', 'PasswordAuthentication no'];

for (const type of [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
] as TestKeyType[]) {
  test(`publickey with a ${type} key`, async () => {
    const k = testKey(type);
    await withServer({ authorizedKeys: [k.authorizedLine] }, async (port, log) => {
      const r = await login(port, { username: 'root', keys: [k.candidate] });
      assert.equal(r.method, 'publickey');
      if (type === 'ssh-rsa') {
        // sshd's log reaches us on its own pipe, maybe after the login has completed
        const line = /Accepted publickey for root .* RSA SHA256:/;
        await logged(log, line);
      }
    });
  });
}

test('keys the server refuses are only queried: the private side of an accepted key is the only one loaded', async () => {
  const wrong1 = testKey('ssh-ed25519', 'wrong one');
  const wrong2 = testKey('ecdsa-sha2-nistp256', 'wrong two');
  const right = testKey('ssh-ed25519', 'right');
  await withServer({ authorizedKeys: [right.authorizedLine] }, async (port) => {
    const r = await login(port, {
      username: 'root',
      keys: [wrong1.candidate, wrong2.candidate, right.candidate],
    });
    assert.equal(r.method, 'publickey');
    assert.deepEqual([wrong1.loads(), wrong2.loads(), right.loads()], [0, 0, 1]);
  });
});

test('no acceptable key: Permission denied (publickey)', async () => {
  const k = testKey('ssh-ed25519');
  await withServer({}, async (port) => {
    await assert.rejects(login(port, { username: 'root', keys: [k.candidate] }), (e: unknown) => {
      assert.ok(e instanceof AuthError);
      assert.equal(e.message, 'Permission denied (publickey).');
      assert.deepEqual(e.methodsLeft, ['publickey']);
      return true;
    });
  });
});

test('password: right after a wrong one; three wrong ones end in Permission denied', async () => {
  const { user, password } = ensureTestUser();
  await withServer({ extraConfig: PASSWORD_ON }, async (port) => {
    const answers = ['nope', password];
    const r = await login(port, { username: user, password: async () => answers.shift() ?? null });
    assert.equal(r.method, 'password');
    let asked = 0;
    await assert.rejects(
      login(port, { username: user, password: async () => (asked++, 'wrong') }),
      /Permission denied \(publickey,password\)/,
    );
    assert.equal(asked, 3);
  });
});

test('keyboard-interactive: the PAM password prompt is answered through the callback', async () => {
  const { user, password } = ensureTestUser();
  await withServer({ extraConfig: KBD_ON }, async (port) => {
    const prompts: string[] = [];
    const r = await login(port, {
      username: user,
      keyboardInteractive: async (req) => {
        prompts.push(...req.prompts.map((p) => `${p.prompt}|${p.echo}`));
        return req.prompts.map(() => password);
      },
    });
    assert.equal(r.method, 'keyboard-interactive');
    assert.deepEqual(prompts, ['Password: |false']);
  });
});

test('AuthenticationMethods publickey,password needs both, in turn', async () => {
  const { user, password } = ensureTestUser();
  const k = testKey('ssh-ed25519');
  await withServer(
    {
      authorizedKeys: [k.authorizedLine],
      extraConfig: ['AuthenticationMethods publickey,password', ...PASSWORD_ON],
    },
    async (port, log) => {
      let asked = 0;
      const r = await login(port, {
        username: user,
        keys: [k.candidate],
        password: async () => (asked++, password),
      });
      assert.equal(r.method, 'password');
      assert.equal(asked, 1);
      await logged(() => log(), /Partial publickey for keyway-test/);
      await assert.rejects(
        login(port, { username: user, keys: [k.candidate] }),
        /Permission denied \(password\)/,
      );
    },
  );
});

test('the banner reaches the callback, control characters made visible', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-banner-'));
  try {
    const file = join(dir, 'banner');
    writeFileSync(file, 'Authorised use only\n\x1b[2Jcleared?\n');
    const k = testKey('ssh-ed25519');
    await withServer(
      { authorizedKeys: [k.authorizedLine], extraConfig: [`Banner ${file}`] },
      async (port) => {
        const banners: string[] = [];
        await login(port, {
          username: 'root',
          keys: [k.candidate],
          onBanner: (b) => banners.push(b),
        });
        assert.deepEqual(banners, ['Authorised use only\n^[[2Jcleared?\n']);
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
