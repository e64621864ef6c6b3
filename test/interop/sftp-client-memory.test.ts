/**
 * A client's memory in a long download: 1 GiB from Debian's sshd and sftp-server, in a child
 * process with the client's runtime tuning (core/runtime-tuning.ts), as `keyway sftp` runs.
 * node:crypto makes a new buffer outside the heap for every packet, so what bounds the
 * client's memory is the collector freeing them as the download goes. With V8's
 * --external-memory-accounted-in-global-limit (tried in 736dd78), they piled up to ~1 GB by
 * the end of the gigabyte in most runs; with V8's own limit they stay near 100 MB.
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

const src = (path: string): string =>
  JSON.stringify(fileURLToPath(new URL(`../../core/${path}`, import.meta.url)));

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

test('a 1 GiB download keeps the client’s packet buffers bounded', async () => {
  const job = {
    port: server.port,
    username: userInfo().username,
    key: tmp.path('id'),
    from: tmp.path('big'),
    to: tmp.path('out'),
  };
  const child = `
import { applyRuntimeTuning } from ${src('runtime-tuning.ts')};
import { connect } from ${src('client/connect.ts')};
import { openSftp } from ${src('sftp/client.ts')};
import { download } from ${src('sftp/transfer/index.ts')};
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
const r = await download(sftp, job.from, job.to, {});
sample();
clearInterval(timer);
sftp.end();
c.close();
console.log(JSON.stringify({ bytes: r.bytes, failures: r.failures.length, peak }));
`;
  const run = promisify(execFile);
  const out = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child], {
    maxBuffer: 1 << 20,
    timeout: 120_000,
  });
  const r = JSON.parse(out.stdout.trim().split('\n').pop() ?? '{}') as {
    bytes: number;
    failures: number;
    peak: number;
  };
  assert.equal(r.failures, 0);
  assert.equal(statSync(tmp.path('out')).size, SIZE);
  assert.ok(
    r.peak < BOUND,
    `packet buffers peaked at ${(r.peak / 2 ** 20).toFixed(0)} MiB (bound ${BOUND / 2 ** 20})`,
  );
  console.log(`# 1 GiB download: packet buffers peaked at ${(r.peak / 2 ** 20).toFixed(0)} MiB`);
});
