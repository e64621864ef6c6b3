/**
 * `keyway keyscan` prints the same key lines as OpenSSH's ssh-keyscan against the same
 * servers, through the built `keyway` bin as a user would run it.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startOpenSsh, startDropbear, type RunningServer } from './harness/index.js';
import { keyscanMain } from '../../core/cli/keyscan.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));

async function sshKeyscan(port: number, types: string): Promise<string[]> {
  const { stdout } = await run('ssh-keyscan', ['-p', String(port), '-t', types, '127.0.0.1']);
  return stdout
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .sort();
}

async function keywayKeyscan(
  args: string[],
): Promise<{ out: string[]; err: string[]; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await keyscanMain(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { out: out.sort(), err, code };
}

for (const kind of ['openssh', 'dropbear'] as const) {
  describe(`keyscan against ${kind}`, () => {
    let server: RunningServer;
    before(async () => {
      server = kind === 'openssh' ? await startOpenSsh() : await startDropbear();
    });
    after(async () => server?.stop());

    for (const types of ['rsa,ecdsa,ed25519', 'ed25519', 'ecdsa', 'rsa']) {
      test(`-t ${types} prints what ssh-keyscan prints`, async () => {
        const want = await sshKeyscan(server.port, types);
        const got = await keywayKeyscan(['-p', String(server.port), '-t', types, '127.0.0.1']);
        assert.equal(got.code, 0, got.err.join('\n'));
        assert.ok(want.length >= 1);
        assert.deepEqual(got.out, want);
        assert.ok(
          got.err.every((l) => l.startsWith(`# 127.0.0.1:${server.port} SSH-2.0-`)),
          got.err.join('\n'),
        );
      });
    }
  });
}

test('the keyway bin runs keyscan (npx keyway keyscan)', async () => {
  const server = await startOpenSsh({ hostKeyTypes: ['ed25519'] });
  try {
    const { stdout } = await run(process.execPath, [
      `${repo}/bin/keyway.js`,
      'keyscan',
      '-p',
      String(server.port),
      '127.0.0.1',
    ]);
    const line = server.hostKeys[0]?.publicLine ?? '';
    assert.equal(stdout.trim(), `[127.0.0.1]:${server.port} ${line}`);
  } finally {
    await server.stop();
  }
});

test('keyscan reports an unreachable host and exits 1', async () => {
  const got = await keywayKeyscan(['-p', '1', '-T', '2', '127.0.0.1']);
  assert.equal(got.code, 1);
  assert.match(
    got.err.join('\n'),
    /127\.0\.0\.1:1: connect to 127\.0\.0\.1 port 1: .*ECONNREFUSED/,
  );
});

test('keyscan rejects an unknown key type', async () => {
  await assert.rejects(keywayKeyscan(['-t', 'dsa', '127.0.0.1']), /unknown key type "dsa"/);
});
