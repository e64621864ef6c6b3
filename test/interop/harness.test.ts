// Checks the interop harness itself: each server kind × flavor starts on 127.0.0.1, answers
// with its banner, serves the host keys the harness reports (as the host's ssh-keyscan sees
// them), applies the options, and is gone with its temp dir after stop().
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import {
  keyscan,
  runClient,
  serverAlgorithms,
  ssh,
  startDropbear,
  startOpenSsh,
  trixieRootPath,
} from './harness/index.js';
import type { Flavor, RunningServer } from './harness/index.js';

interface Case {
  kind: 'openssh' | 'dropbear';
  flavor: Flavor;
  version: RegExp;
}

const cases: Case[] = [
  { kind: 'openssh', flavor: 'bookworm', version: /^OpenSSH_9\.\d+p\d+$/ },
  { kind: 'openssh', flavor: 'trixie', version: /^OpenSSH_10\.\d+p\d+$/ },
  { kind: 'dropbear', flavor: 'bookworm', version: /^dropbear_2022\.\d+$/ },
  { kind: 'dropbear', flavor: 'trixie', version: /^dropbear_2025\.\d+$/ },
];

function start(c: Case): Promise<RunningServer> {
  return c.kind === 'openssh'
    ? startOpenSsh({ flavor: c.flavor })
    : startDropbear({ flavor: c.flavor });
}

/** The first line the server sends. */
function banner(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const sock = connect({ host: '127.0.0.1', port });
    sock.on('error', reject);
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n');
      if (end >= 0) {
        sock.destroy();
        resolve(buf.slice(0, end));
      }
    });
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** What keyscan can learn: one ECDSA key per connection, P-256 first. */
function scannable(s: RunningServer): string[] {
  const ecdsa = ['256', '384', '521']
    .map((bits) => `ecdsa-sha2-nistp${bits}`)
    .find((t) => s.hostKeys.some((k) => k.type === t));
  return s.hostKeys
    .filter((k) => !k.type.startsWith('ecdsa-') || k.type === ecdsa)
    .map((k) => k.publicLine)
    .sort();
}

describe('interop harness servers', { concurrency: true }, () => {
  for (const c of cases) {
    it(`${c.kind} ${c.flavor}: banner, host keys, stop`, async () => {
      const s = await start(c);
      const dir = dirname(s.hostKeys[0]?.path ?? '/nonexistent/x');
      try {
        assert.match(s.version, c.version, s.log());
        const prefix = c.kind === 'openssh' ? 'SSH-2.0-OpenSSH_' : 'SSH-2.0-dropbear_';
        const line = await banner(s.port);
        assert.ok(line.startsWith(prefix) && line.includes(s.version), line);
        assert.equal(s.hostKeys.length, c.kind === 'openssh' ? 5 : 4);
        assert.deepEqual(await keyscan(s.port), scannable(s), s.log());
        if (c.flavor === 'trixie') assert.ok(dir.startsWith(`${trixieRootPath()}/`), dir);
        assert.ok(existsSync(dir));
      } finally {
        await s.stop();
      }
      assert.equal(pidAlive(s.pid), false, `pid ${s.pid} still alive`);
      assert.equal(existsSync(dir), false, `${dir} still there`);
      await s.stop(); // idempotent
    });
  }

  for (const c of [cases[0], cases[3]]) {
    if (!c) continue;
    it(`${c.kind} ${c.flavor}: a non-default ECDSA curve`, async () => {
      const opts = { flavor: c.flavor, hostKeyTypes: ['ecdsa384' as const] };
      const s = c.kind === 'openssh' ? await startOpenSsh(opts) : await startDropbear(opts);
      try {
        assert.deepEqual(await keyscan(s.port, 'ecdsa'), [s.hostKeys[0]?.publicLine], s.log());
      } finally {
        await s.stop();
      }
    });
  }
});

describe('interop harness options', { concurrency: true }, () => {
  const user = userInfo().username;
  let keyDir = '';
  const identity = (): string => join(keyDir, 'id_ed25519');
  const publicKey = async (): Promise<string> =>
    (await readFile(`${identity()}.pub`, 'utf8')).trim();

  before(async () => {
    keyDir = await mkdtemp(join(tmpdir(), 'keyway-harness-test-'));
    const r = await runClient('/usr/bin/ssh-keygen', [
      '-q',
      '-N',
      '',
      '-t',
      'ed25519',
      '-f',
      identity(),
    ]);
    assert.equal(r.code, 0, r.stderr);
  });
  after(() => rm(keyDir, { recursive: true, force: true }));

  for (const flavor of ['bookworm', 'trixie'] as const) {
    it(`openssh ${flavor}: algorithm restrictions, rekey limit and authorized_keys apply`, async () => {
      const s = await startOpenSsh({
        flavor,
        kex: ['curve25519-sha256'],
        ciphers: ['aes128-ctr'],
        macs: ['hmac-sha2-256'],
        hostKeyAlgorithms: ['ssh-ed25519'],
        rekeyLimit: '1M 5',
        authorizedKeys: [await publicKey()],
      });
      try {
        const r = await ssh(s.port, user, identity(), ['-v'], 'echo harness-ok');
        const detail = `${r.stderr}\n--- server log:\n${s.log()}`;
        assert.equal(r.code, 0, detail);
        assert.equal(r.stdout.trim(), 'harness-ok');
        assert.match(r.stderr, /kex: algorithm: curve25519-sha256\b/, detail);
        assert.match(r.stderr, /kex: host key algorithm: ssh-ed25519\b/, detail);
        assert.match(r.stderr, /server->client cipher: aes128-ctr MAC: hmac-sha2-256 /, detail);
      } finally {
        await s.stop();
      }
    });
  }

  it('dropbear trixie: authorized_keys through -D', async () => {
    const s = await startDropbear({ flavor: 'trixie', authorizedKeys: [await publicKey()] });
    try {
      const r = await ssh(s.port, user, identity(), [], 'echo harness-ok');
      assert.equal(r.code, 0, `${r.stderr}\n--- server log:\n${s.log()}`);
      assert.equal(r.stdout.trim(), 'harness-ok');
    } finally {
      await s.stop();
    }
  });

  it('dropbear bookworm refuses authorizedKeys instead of ignoring them', async () => {
    await assert.rejects(
      startDropbear({ authorizedKeys: ['ssh-ed25519 AAAA'] }),
      /needs flavor trixie/,
    );
  });

  it('reports a config sshd rejects, with the config', async () => {
    await assert.rejects(
      startOpenSsh({ hostKeyTypes: ['ed25519'], extraConfig: ['NoSuchKeyword yes'] }),
      /sshd rejects the config[\s\S]*NoSuchKeyword/,
    );
  });
});

describe('serverAlgorithms', () => {
  it('trixie OpenSSH has mlkem768x25519-sha256; bookworm does not', async () => {
    const trixie = await serverAlgorithms('openssh', 'trixie');
    const bookworm = await serverAlgorithms('openssh', 'bookworm');
    assert.ok(trixie.kex.includes('mlkem768x25519-sha256'), trixie.kex.join(' '));
    assert.ok(!bookworm.kex.includes('mlkem768x25519-sha256'));
    for (const lists of [trixie, bookworm]) {
      assert.ok(lists.ciphers.includes('chacha20-poly1305@openssh.com'));
      assert.ok(lists.macs.includes('hmac-sha2-256-etm@openssh.com'));
      assert.ok(lists.hostKeyAlgorithms.includes('rsa-sha2-512'));
    }
  });
});
