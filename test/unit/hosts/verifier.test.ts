// StrictHostKeyChecking (yes / ask / accept-new / no) as the transport's host-key verifier, and
// the atomic known_hosts writer behind it: what is refused with which HostKeyError, what is
// written (and found by ssh-keygen -F), and that a failed or racing write never leaves half a
// file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  appendKnownHostsLine,
  checkHostKey,
  formatKnownHostsLine,
  hostKeyVerifier,
  lookup,
  nodeKnownHostsFs,
  type HostKeyEvent,
  type HostKeyPolicy,
  type HostKeyPrompt,
  type KnownHostsFs,
} from '../../../core/hosts/index.js';
import {
  DisconnectedByPeer,
  HostKeyError,
  HostKeyRejected,
  KnownHostsError,
  DisconnectReason,
} from '../../../core/errors.js';
import { fingerprintSha256 } from '../../../core/crypto/fingerprint.js';
import { generateHostKeyPair } from '../../../core/crypto/hostkey/index.js';
import { transportPair } from '../../support/transport-pair.js';
import { key, keyText, keygenFind, tempDir } from './support.js';

const ed = key('ssh-ed25519');
const ed2 = key('ssh-ed25519', 1);
const rsa = key('ssh-rsa');

function hostKeyError(kind: string, check?: (e: HostKeyError) => void) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof HostKeyError, `expected HostKeyError, got ${String(e)}`);
    assert.ok(e instanceof HostKeyRejected);
    assert.equal(e.kind, kind, e.message);
    assert.equal(e.code, 'HOST_KEY_ERROR');
    assert.equal(e.reason, DisconnectReason.HOST_KEY_NOT_VERIFIABLE);
    check?.(e);
    return true;
  };
}

/** A temp "home" with .ssh not yet created; the user file is home/.ssh/known_hosts. */
function home(): { dir: string; file: string; cleanup(): void } {
  const t = tempDir();
  return { dir: t.dir, file: join(t.dir, '.ssh', 'known_hosts'), cleanup: t.cleanup };
}

function seed(file: string, text: string, mode = 0o600): void {
  mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
  writeFileSync(file, text, { mode });
  chmodSync(file, mode);
}

function dirListing(file: string): string[] {
  return readdirSync(join(file, '..')).sort();
}

test('yes: a known key passes, an unknown one is refused and nothing is written', async () => {
  const h = home();
  try {
    seed(h.file, `host ${keyText(ed)}\n`);
    const verify = hostKeyVerifier({ strict: 'yes', knownHostsFiles: [h.file], host: 'host' });
    assert.equal(await verify(ed, 'ssh-ed25519'), true);
    await assert.rejects(Promise.resolve(verify(rsa, 'rsa-sha2-512')), hostKeyError('mismatch'));
    const verifyNew = hostKeyVerifier({ strict: 'yes', knownHostsFiles: [h.file], host: 'new' });
    await assert.rejects(
      Promise.resolve(verifyNew(ed, 'ssh-ed25519')),
      hostKeyError('unknown', (e) => {
        assert.match(e.message, /requested strict checking/);
        assert.ok(e.message.includes(fingerprintSha256(ed.blob)));
        assert.deepEqual(e.known, []);
      }),
    );
    assert.equal(readFileSync(h.file, 'utf8'), `host ${keyText(ed)}\n`);
  } finally {
    h.cleanup();
  }
});

test('accept-new: creates ~/.ssh (0700) and known_hosts (0600); ssh-keygen -F finds the line; then it matches', async () => {
  const h = home();
  try {
    const events: HostKeyEvent[] = [];
    const policy: HostKeyPolicy = {
      strict: 'accept-new',
      knownHostsFiles: [h.file],
      host: 'New.Example',
      onEvent: (e) => events.push(e),
    };
    const first = await checkHostKey(policy, ed);
    assert.equal(first.action, 'added');
    assert.equal(statSync(join(h.dir, '.ssh')).mode & 0o777, 0o700);
    assert.equal(statSync(h.file).mode & 0o777, 0o600);
    assert.equal(readFileSync(h.file, 'utf8'), `new.example ${keyText(ed)}\n`);
    assert.deepEqual(keygenFind(h.file, 'new.example'), [{ line: 1, marker: '' }]);
    assert.deepEqual(
      events.map((e) => e.kind),
      ['added'],
    );
    const second = await checkHostKey(policy, ed);
    assert.equal(second.action, 'known');
    assert.equal(second.lookup.found?.line, 1);
    // A changed key is refused under accept-new.
    await assert.rejects(
      checkHostKey(policy, ed2),
      hostKeyError('mismatch', (e) => {
        assert.deepEqual(
          e.known.map((k) => [k.file, k.line, k.type, k.fingerprint]),
          [[h.file, 1, 'ssh-ed25519', fingerprintSha256(ed.blob)]],
        );
        assert.ok(e.message.includes(fingerprintSha256(ed2.blob)));
        assert.ok(e.message.includes(fingerprintSha256(ed.blob)));
        assert.match(e.message, /REMOTE HOST IDENTIFICATION HAS CHANGED/);
        assert.deepEqual((e.details['presented'] as { type: string }).type, 'ssh-ed25519');
      }),
    );
    assert.equal(readFileSync(h.file, 'utf8').split('\n').length, 2);
  } finally {
    h.cleanup();
  }
});

test('accept-new on another port writes [host]:port; hashed when asked; both found by ssh-keygen -F', async () => {
  const h = home();
  try {
    seed(h.file, `# mine\nold ${keyText(rsa)}`); // no final newline: one is added first
    await checkHostKey(
      { strict: 'accept-new', knownHostsFiles: [h.file], host: 'srv', port: 2222 },
      ed,
    );
    await checkHostKey(
      {
        strict: 'accept-new',
        knownHostsFiles: [h.file],
        host: 'hashed.example',
        hashKnownHosts: true,
      },
      rsa,
    );
    const lines = readFileSync(h.file, 'utf8').split('\n');
    assert.deepEqual(lines.slice(0, 3), [
      '# mine',
      `old ${keyText(rsa)}`,
      `[srv]:2222 ${keyText(ed)}`,
    ]);
    assert.match(lines[3] ?? '', /^\|1\|[^ ]+ ssh-rsa /);
    assert.equal(lines[4], '');
    assert.deepEqual(keygenFind(h.file, '[srv]:2222'), [{ line: 3, marker: '' }]);
    assert.deepEqual(keygenFind(h.file, 'hashed.example'), [{ line: 4, marker: '' }]);
    assert.equal((await lookup([h.file], 'srv', 2222, ed)).status, 'match');
    assert.equal((await lookup([h.file], 'hashed.example', 22, rsa)).status, 'match');
  } finally {
    h.cleanup();
  }
});

test("an existing file's mode is kept", async () => {
  const h = home();
  try {
    seed(h.file, `a ${keyText(ed)}\n`, 0o644);
    await checkHostKey({ strict: 'accept-new', knownHostsFiles: [h.file], host: 'b' }, ed);
    assert.equal(statSync(h.file).mode & 0o777, 0o644);
  } finally {
    h.cleanup();
  }
});

test("an existing file's owner is kept when we run as root (sudo)", async () => {
  const h = home();
  try {
    seed(h.file, `a ${keyText(ed)}\n`);
    const root = process.getuid?.() === 0;
    // As root, hand the file to another user first; otherwise it is simply ours.
    if (root) chownSync(h.file, 4321, 4322);
    const want = statSync(h.file);
    await checkHostKey({ strict: 'accept-new', knownHostsFiles: [h.file], host: 'b' }, ed);
    const got = statSync(h.file);
    assert.deepEqual([got.uid, got.gid], [want.uid, want.gid]);
    assert.equal(readFileSync(h.file, 'utf8').split('\n').length, 3);
  } finally {
    h.cleanup();
  }
});

test('revoked is refused under every policy, "no" included', async () => {
  const h = home();
  try {
    seed(h.file, `host ${keyText(ed)}\n@revoked * ${keyText(ed)}\n`);
    for (const strict of ['yes', 'accept-new', 'ask', 'no'] as const) {
      const policy = {
        strict,
        knownHostsFiles: [h.file],
        host: 'host',
        ask: () => Promise.resolve(true),
        onEvent: () => {},
      } as HostKeyPolicy;
      await assert.rejects(
        checkHostKey(policy, ed),
        hostKeyError('revoked', (e) => {
          assert.deepEqual(
            e.known.map((k) => k.line),
            [2],
          );
          assert.ok(e.message.includes(`${h.file}:2`));
        }),
        strict,
      );
    }
  } finally {
    h.cleanup();
  }
});

test('ask: asked only for unknown keys, with the fingerprint and other names; yes records, no refuses', async () => {
  const h = home();
  try {
    seed(h.file, `alias.example ${keyText(ed)}\nknown ${keyText(rsa)}\n`);
    const prompts: HostKeyPrompt[] = [];
    let answer = false;
    const policy: HostKeyPolicy = {
      strict: 'ask',
      knownHostsFiles: [h.file],
      host: 'fresh',
      port: 2022,
      ask: (p) => {
        prompts.push(p);
        return Promise.resolve(answer);
      },
    };
    await assert.rejects(
      checkHostKey(policy, ed),
      hostKeyError('unknown', (e) => assert.match(e.message, /not accepted/)),
    );
    assert.equal(prompts.length, 1);
    const p = prompts[0];
    assert.ok(p);
    assert.deepEqual(
      [p.host, p.port, p.name, p.keyType, p.fingerprint, p.file],
      ['fresh', 2022, '[fresh]:2022', 'ssh-ed25519', fingerprintSha256(ed.blob), h.file],
    );
    assert.deepEqual(
      p.otherNames.map((k) => [k.hosts, k.line]),
      [['alias.example', 1]],
    );
    answer = true;
    assert.equal((await checkHostKey(policy, ed)).action, 'added');
    assert.equal((await checkHostKey(policy, ed)).action, 'known');
    assert.equal(prompts.length, 2);
    // A changed key is refused without asking.
    await assert.rejects(
      checkHostKey({ ...policy, host: 'known', port: 22 }, ed2),
      hostKeyError('mismatch'),
    );
    assert.equal(prompts.length, 2);
  } finally {
    h.cleanup();
  }
});

test('no: unknown keys are recorded; a changed key passes with a loud event naming what to disable', async () => {
  const h = home();
  try {
    seed(h.file, `host ${keyText(ed)}\n`);
    const before = readFileSync(h.file, 'utf8');
    const events: HostKeyEvent[] = [];
    const policy: HostKeyPolicy = {
      strict: 'no',
      knownHostsFiles: [h.file],
      host: 'host',
      onEvent: (e) => events.push(e),
    };
    const d = await checkHostKey(policy, ed2);
    assert.equal(d.action, 'unsafe');
    assert.equal(d.lookup.status, 'mismatch');
    const e = events[0];
    assert.ok(e && e.kind === 'changed-key-accepted');
    assert.deepEqual(
      [...e.disable],
      ['password', 'keyboard-interactive', 'agent-forwarding', 'x11-forwarding', 'port-forwarding'],
    );
    assert.deepEqual(
      e.known.map((k) => k.fingerprint),
      [fingerprintSha256(ed.blob)],
    );
    assert.equal(readFileSync(h.file, 'utf8'), before, 'a changed key is not written');
    assert.equal((await checkHostKey({ ...policy, host: 'other' }, ed2)).action, 'added');
  } finally {
    h.cleanup();
  }
});

test('an unknown key that cannot be recorded is refused under every policy', async () => {
  for (const strict of ['accept-new', 'no', 'ask'] as const) {
    const base = { strict, ask: () => Promise.resolve(true), onEvent: () => {} };
    await assert.rejects(
      checkHostKey({ ...base, knownHostsFiles: [], host: 'h' } as HostKeyPolicy, ed),
      hostKeyError('unknown', (e) => assert.match(e.message, /no known_hosts file/)),
    );
    await assert.rejects(
      checkHostKey(
        { ...base, knownHostsFiles: ['/nonexistent/kh'], host: 'evil*' } as HostKeyPolicy,
        ed,
      ),
      hostKeyError('unknown', (e) => assert.match(e.message, /unsafe host name/)),
    );
  }
});

test('global files are read, never written; bad lines are reported', async () => {
  const h = home();
  try {
    const global = join(h.dir, 'ssh_known_hosts');
    writeFileSync(global, `garbage\nhost ${keyText(ed)}\n`);
    const events: HostKeyEvent[] = [];
    const policy: HostKeyPolicy = {
      strict: 'yes',
      knownHostsFiles: [h.file],
      globalKnownHostsFiles: [global],
      host: 'host',
      onEvent: (e) => events.push(e),
    };
    assert.equal((await checkHostKey(policy, ed)).lookup.found?.file, global);
    const bad = events.find((e) => e.kind === 'bad-lines');
    assert.ok(bad && bad.kind === 'bad-lines');
    assert.deepEqual(
      bad.lines.map((l) => [l.file, l.line]),
      [[global, 1]],
    );
    await assert.rejects(
      checkHostKey({ ...policy, strict: 'accept-new' }, ed2),
      hostKeyError('mismatch'),
    );
  } finally {
    h.cleanup();
  }
});

const eio = (what: string): Error =>
  Object.assign(new Error(`${what}: I/O error`), { code: 'EIO' });

test('a failed rename or fsync leaves the old file intact and no temp file behind', async () => {
  const h = home();
  try {
    const original = `keep ${keyText(rsa)}\n`;
    seed(h.file, original);
    const failing: KnownHostsFs[] = [
      { ...nodeKnownHostsFs, rename: () => Promise.reject(eio('rename')) },
      {
        ...nodeKnownHostsFs,
        writeNew: async (path, data, mode) => {
          // Half the data reaches the temp file, then fsync fails.
          await nodeKnownHostsFs.writeNew(path, data.subarray(0, data.length >> 1), mode);
          throw eio('fsync');
        },
      },
      {
        ...nodeKnownHostsFs,
        mkdir: () => Promise.reject(eio('mkdir')),
        stat: () => Promise.resolve(undefined),
      },
    ];
    for (const fs of failing) {
      const events: HostKeyEvent[] = [];
      const d = await checkHostKey(
        {
          strict: 'accept-new',
          knownHostsFiles: [h.file],
          host: 'newhost',
          fs,
          onEvent: (e) => events.push(e),
        },
        ed,
      );
      // As OpenSSH: the connection goes on, the failure is reported.
      assert.equal(d.action, 'added');
      const failed = events.find((e) => e.kind === 'add-failed');
      assert.ok(failed && failed.kind === 'add-failed');
      assert.ok(failed.error instanceof KnownHostsError);
      assert.match(failed.error.message, /I\/O error/);
      assert.ok(failed.error.message.includes(h.file));
      assert.equal(readFileSync(h.file, 'utf8'), original);
      assert.deepEqual(dirListing(h.file), ['known_hosts']);
    }
    await assert.rejects(
      appendKnownHostsLine(h.file, 'x ssh-ed25519 AAAA', failing[0]),
      (e: unknown) => e instanceof KnownHostsError && e.code === 'KNOWN_HOSTS_ERROR',
    );
    assert.equal(readFileSync(h.file, 'utf8'), original);
  } finally {
    h.cleanup();
  }
});

test('concurrent adds in one process all land, each line whole', async () => {
  const h = home();
  try {
    seed(h.file, '');
    const keys = Array.from({ length: 12 }, (_, i) => ({ host: `h${i}`, k: i % 2 ? ed : rsa }));
    await Promise.all(
      keys.map(({ host, k }) =>
        checkHostKey({ strict: 'accept-new', knownHostsFiles: [h.file], host }, k),
      ),
    );
    const lines = readFileSync(h.file, 'utf8').trimEnd().split('\n').sort();
    assert.deepEqual(lines, keys.map(({ host, k }) => `${host} ${keyText(k)}`).sort());
    assert.deepEqual(dirListing(h.file), ['known_hosts']);
  } finally {
    h.cleanup();
  }
});

test('another writer changing the file mid-write: we start over and keep both lines', async () => {
  const h = home();
  try {
    seed(h.file, `first ${keyText(rsa)}\n`);
    let interfered = 0;
    const fs: KnownHostsFs = {
      ...nodeKnownHostsFs,
      writeNew: async (path, data, mode) => {
        await nodeKnownHostsFs.writeNew(path, data, mode);
        if (interfered++ === 0) writeFileSync(h.file, `other ${keyText(ed2)}\n`, { flag: 'a' });
      },
    };
    await appendKnownHostsLine(h.file, `mine ${keyText(ed)}`, fs);
    assert.equal(interfered, 2);
    assert.equal(
      readFileSync(h.file, 'utf8'),
      `first ${keyText(rsa)}\nother ${keyText(ed2)}\nmine ${keyText(ed)}\n`,
    );
    assert.deepEqual(dirListing(h.file), ['known_hosts']);
  } finally {
    h.cleanup();
  }
});

test('a symlinked known_hosts is updated at its target; the link stays', async () => {
  const h = home();
  try {
    const real = join(h.dir, 'real_known_hosts');
    writeFileSync(real, `a ${keyText(rsa)}\n`);
    mkdirSync(join(h.dir, '.ssh'), { mode: 0o700 });
    symlinkSync(real, h.file);
    await checkHostKey({ strict: 'accept-new', knownHostsFiles: [h.file], host: 'b' }, ed);
    assert.ok(lstatSync(h.file).isSymbolicLink());
    assert.equal(readFileSync(real, 'utf8'), `a ${keyText(rsa)}\nb ${keyText(ed)}\n`);
  } finally {
    h.cleanup();
  }
});

test('a path that is not a regular file (/dev/null) is appended to, never replaced', async () => {
  const calls: string[] = [];
  const fs: KnownHostsFs = {
    ...nodeKnownHostsFs,
    realpath: (p) => Promise.resolve(p),
    // /dev and /dev/null as stat(2) shows them: a directory and a character device.
    stat: (p) =>
      Promise.resolve({ regular: false, mode: p === '/dev' ? 0o755 : 0o666, uid: 0, gid: 0 }),
    append: (p) => {
      calls.push(`append ${p}`);
      return Promise.resolve();
    },
    writeNew: (p) => Promise.reject(new Error(`writeNew ${p} must not be called`)),
    rename: (a) => Promise.reject(new Error(`rename ${a} must not be called`)),
  };
  const events: HostKeyEvent[] = [];
  await checkHostKey(
    {
      strict: 'accept-new',
      knownHostsFiles: ['/dev/null'],
      host: 'h',
      fs,
      onEvent: (e) => events.push(e),
    },
    ed,
  );
  assert.deepEqual(calls, ['append /dev/null']);
  assert.deepEqual(
    events.map((e) => e.kind),
    ['added'],
  );
});

test('formatKnownHostsLine', () => {
  assert.equal(formatKnownHostsLine('Host', 22, ed), `host ${keyText(ed)}`);
  assert.equal(formatKnownHostsLine('::1', 2222, rsa), `[::1]:2222 ${keyText(rsa)}`);
  assert.match(formatKnownHostsLine('h', 22, ed, true), /^\|1\|\S+\|\S+ ssh-ed25519 \S+$/);
  assert.throws(() => formatKnownHostsLine('a,b', 22, ed), KnownHostsError);
});

test('through the transport: a changed host key ends the key exchange with HostKeyError', async () => {
  const h = home();
  try {
    const hostKey = generateHostKeyPair('ssh-ed25519');
    seed(h.file, `[127.0.0.1]:2222 ${keyText(ed)}\n`);
    const pair = transportPair({
      hostKeys: [hostKey],
      client: {
        verifyHostKey: hostKeyVerifier({
          strict: 'accept-new',
          knownHostsFiles: [h.file],
          host: '127.0.0.1',
          port: 2222,
        }),
      },
    });
    const err = await pair.clientClosed;
    assert.ok(err instanceof HostKeyError, String(err));
    assert.equal(err.kind, 'mismatch');
    assert.equal(err.presented.fingerprint, fingerprintSha256(hostKey.publicKey.blob));
    // The server hears why: DISCONNECT with HOST_KEY_NOT_VERIFIABLE.
    const seen = await pair.serverClosed;
    assert.ok(seen instanceof DisconnectedByPeer, String(seen));
    assert.equal(seen.peerReason, DisconnectReason.HOST_KEY_NOT_VERIFIABLE);
  } finally {
    h.cleanup();
  }
});
