/**
 * `keyway ssh` exits only once its output has gone out: read by a slow reader (a chunk, then a
 * pause), the remote command's whole output still arrives. process.exit() alone drops what is
 * still queued for a pipe when the session ends; OpenSSH's ssh blocks on its writes instead.
 * Found by bench/terminal.bench.ts, where `keyway ssh -tt host cat` lost the tail of the file
 * on a loaded machine. Against Debian's sshd.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startOpenSsh, type RunningServer } from './harness/index.js';
import { batchSshOptions } from '../support/batch-ssh.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';

const keywayBin = fileURLToPath(new URL('../../bin/keyway.js', import.meta.url));
let tmp: TempDir;
let server: RunningServer;

before(async () => {
  tmp = tempDir('exit-flush');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', tmp.path('id')]);
  const line = readFileSync(tmp.path('id.pub'), 'utf8').trim();
  server = await startOpenSsh({ authorizedKeys: [line], hostKeyTypes: ['ed25519'] });
});

after(async () => {
  await server?.stop();
  tmp?.cleanup();
});

test(`keyway ssh -T: 400 KB read slowly from its stdout arrives whole`, async () => {
  const child = spawn(
    process.execPath,
    [
      keywayBin,
      'ssh',
      '-T',
      ...batchSshOptions(server.port, '/dev/null'),
      '-i',
      tmp.path('id'),
      'root@127.0.0.1',
      `head -c 400000 /dev/zero | tr '\\0' x`,
    ],
    { env: { ...process.env, SSH_AUTH_SOCK: '' }, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let exited = false;
  const exit = new Promise<number | null>((r) =>
    child.once('exit', (code) => {
      exited = true;
      r(code);
    }),
  );
  const closed = new Promise((r) => child.stdout.once('close', r));
  let xs = 0;
  child.stdout.on('data', (d: Buffer) => {
    for (const b of d) if (b === 0x78) xs++;
    child.stdout.pause();
    setTimeout(() => child.stdout.resume(), 200);
  });
  try {
    assert.equal(await exit, 0);
    await closed;
    assert.equal(xs, 400_000);
  } finally {
    if (!exited && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  }
});
