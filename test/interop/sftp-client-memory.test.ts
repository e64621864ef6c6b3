/**
 * A client's memory in long transfers through Debian's sshd and sftp-server: 1 GiB down, up
 * and down again, in a child process with the client's runtime tuning (core/runtime-tuning.ts),
 * as `keyway sftp` runs. node:crypto makes a new buffer outside the heap for every packet, so
 * what bounds the client's memory is the collector freeing them as the transfer goes. With
 * the tuning's external-memory setting, scavenges free them, unless a dead object in the old
 * generation points at them: with plain Maps for the SFTP request and reply tables, about
 * half of all 1 GiB downloads kept every packet buffer (~1 GB) that way (core/sftp/take-map.ts).
 * Such a pile-up starts when a full collection moves the tables to the old generation while
 * the transfer runs; the child forces one 64 MiB into each transfer. (Without it, the pile-up
 * came at random: in about half of the downloads of a process that had other work.)
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, openSync, readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startOpenSsh, type RunningServer } from './harness/index.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';

const SIZE = 1024 * 1024 * 1024;
/** Packet buffers alive at once: the pipeline's window and what waits for the disk. */
const BOUND = 384 * 1024 * 1024;

/** A module of Keyway's build, which `keyway sftp` runs (npm test builds it first). */
const built = (path: string): string =>
  JSON.stringify(fileURLToPath(new URL(`../../dist/core/${path}`, import.meta.url)));

let tmp: TempDir;
let server: RunningServer;

before(async () => {
  tmp = tempDir('sftp-client-memory');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', tmp.path('id')]);
  server = await startOpenSsh({
    authorizedKeys: [readFileSync(tmp.path('id.pub'), 'utf8').trim()],
  });
  // sparse: the server reads zeros, the wire carries ciphertext all the same
  const fd = openSync(tmp.path('big'), 'w');
  ftruncateSync(fd, SIZE);
  closeSync(fd);
});

after(async () => {
  await server.stop();
  tmp.cleanup();
});

test('1 GiB downloads and an upload keep the client’s packet buffers bounded', async () => {
  const job = {
    port: server.port,
    username: userInfo().username,
    key: tmp.path('id'),
    from: tmp.path('big'),
    to: tmp.path('out'),
    up: tmp.path('up'),
  };
  const child = `
import { applyRuntimeTuning } from ${built('runtime-tuning.js')};
import { connect } from ${built('client/connect.js')};
import { openSftp } from ${built('sftp/client.js')};
import { download, upload } from ${built('sftp/transfer/index.js')};
applyRuntimeTuning();
const job = ${JSON.stringify(job)};
let peak = 0;
const sample = () => (peak = Math.max(peak, process.memoryUsage().arrayBuffers));
const timer = setInterval(sample, 20);
const c = await connect({
  host: '127.0.0.1', port: job.port, username: job.username, verifyHostKey: () => true,
  agentPath: null, identityFiles: [job.key], identitiesOnly: true,
  algorithms: { ciphers: ['aes128-gcm@openssh.com'] },
});
const sftp = await openSftp(c.connection);
const phases = [];
for (const [name, move, from, to] of [
  ['download', download, job.from, job.to],
  ['upload', upload, job.to, job.up],
  ['download again', download, job.from, job.to],
]) {
  peak = 0;
  // one full collection early on, as a busy process has now and then: it moves what is live
  // then, the request and reply tables among it, to the old generation
  let collected = false;
  const onProgress = (p) => {
    if (collected || p.totalBytes < 64 * 2 ** 20) return;
    collected = true;
    globalThis.gc();
  };
  const r = await move(sftp, from, to, { onProgress });
  sample();
  phases.push({ name, bytes: r.bytes, failures: r.failures.length, peak });
}
clearInterval(timer);
sftp.end();
c.close();
console.log(JSON.stringify(phases));
`;
  const run = promisify(execFile);
  const out = await run(process.execPath, ['--expose-gc', '--input-type=module', '-e', child], {
    maxBuffer: 1 << 20,
    timeout: 120_000,
  });
  const phases = JSON.parse(out.stdout.trim().split('\n').pop() ?? '[]') as {
    name: string;
    bytes: number;
    failures: number;
    peak: number;
  }[];
  assert.deepEqual(
    phases.map((p) => [p.name, p.bytes, p.failures]),
    [
      ['download', SIZE, 0],
      ['upload', SIZE, 0],
      ['download again', SIZE, 0],
    ],
  );
  assert.equal(statSync(tmp.path('out')).size, SIZE);
  assert.equal(statSync(tmp.path('up')).size, SIZE);
  for (const p of phases) {
    const mib = (p.peak / 2 ** 20).toFixed(0);
    assert.ok(
      p.peak < BOUND,
      `${p.name}: packet buffers peaked at ${mib} MiB (bound ${BOUND / 2 ** 20})`,
    );
    console.log(`# 1 GiB ${p.name}: packet buffers peaked at ${mib} MiB`);
  }
});
