/**
 * SFTP throughput, side by side in one run against Debian's sshd on loopback (its
 * /usr/lib/openssh/sftp-server), with aes128-gcm@openssh.com and chacha20-poly1305@openssh.com:
 * a 1 GiB file and a tree of 2,000 files (100 MB) down and up, by
 *   - OpenSSH `sftp` (batch mode) and `scp` (SFTP protocol, as OpenSSH 9 does),
 *   - Keyway in-process (connect + SFTP channel + core/sftp/transfer, the app's path),
 *   - the `ssh2` package's fastGet / fastPut as shipped (32 KiB chunks, 64 requests) and at
 *     its best (socket setNoDelay(true), 255 KiB chunks).
 * Every timing includes connecting and authenticating; every result is checked by size.
 * Prints MB/s (10^6 bytes per second) and each contender's ratio to OpenSSH `sftp`.
 * A benchmark, not a test: nothing here fails on speed. BENCH_SFTP_MB=256 for a quicker run;
 * BENCH_SFTP_REPS (default 3) rounds, reported as medians.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  openSync,
  writeSync,
  closeSync,
  readdirSync,
} from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client as Ssh2Client, type SFTPWrapper } from 'ssh2';
import { startOpenSsh } from '../test/interop/harness/index.js';
import { connect } from '../core/client/connect.js';
import { openSftp } from '../core/sftp/client.js';
import { download, upload } from '../core/sftp/transfer/index.js';
import { applyRuntimeTuning } from '../core/runtime-tuning.js';

const exec = promisify(execFile);
const BIG_MB = Number(process.env['BENCH_SFTP_MB'] ?? 1024);
const BIG = BIG_MB * 1024 * 1024;
const REPS = Math.max(1, Number(process.env['BENCH_SFTP_REPS'] ?? 3));
const TREE_FILES = 2000;
const TREE_BYTES = 100 * 1000 * 1000;
const CIPHERS = ['aes128-gcm@openssh.com', 'chacha20-poly1305@openssh.com'];

interface Fixture {
  readonly dir: string;
  readonly key: string;
  readonly port: number;
  readonly big: string;
  readonly tree: string;
}

function makeBigFile(path: string): void {
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(16 * 1024 * 1024);
  for (let done = 0; done < BIG; done += block.length) {
    randomFillSync(block);
    writeSync(fd, block, 0, Math.min(block.length, BIG - done));
  }
  closeSync(fd);
}

function makeTree(root: string): void {
  const each = Math.floor(TREE_BYTES / TREE_FILES);
  const data = Buffer.alloc(each);
  for (let i = 0; i < TREE_FILES; i++) {
    const d = join(root, `d${i % 20}`, `e${i % 7}`);
    mkdirSync(d, { recursive: true });
    randomFillSync(data);
    writeFileSync(join(d, `f${i}.bin`), data);
  }
}

function treeSize(root: string): number {
  let total = 0;
  for (const e of readdirSync(root, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += statSync(join(e.parentPath, e.name)).size;
  }
  return total;
}

function sshArgs(f: Fixture, cipher: string): string[] {
  return [
    '-q',
    '-i',
    f.key,
    '-c',
    cipher,
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'BatchMode=yes',
  ];
}

type Case = (f: Fixture, cipher: string, out: string) => Promise<void>;

/** OpenSSH `sftp -b` running one command line. */
const sftpBatch =
  (command: (f: Fixture, out: string) => string): Case =>
  async (f, cipher, out) => {
    const batch = join(f.dir, 'batch');
    writeFileSync(batch, command(f, out) + '\n');
    await exec('sftp', [
      ...sshArgs(f, cipher),
      '-P',
      String(f.port),
      '-b',
      batch,
      'root@127.0.0.1',
    ]);
  };

const openssh = {
  sftpGet: sftpBatch((f, out) => `get ${f.big} ${out}`),
  sftpPut: sftpBatch((f, out) => `put ${f.big} ${out}`),
  sftpGetTree: sftpBatch((f, out) => `get -r ${f.tree} ${out}`),
  sftpPutTree: sftpBatch((f, out) => `put -r ${f.tree} ${out}`),
  scp:
    (from: (f: Fixture) => string, remoteSource: boolean, recursive: boolean): Case =>
    async (f, cipher, out) => {
      const src = remoteSource ? `root@127.0.0.1:${from(f)}` : from(f);
      const dst = remoteSource ? out : `root@127.0.0.1:${out}`;
      await exec('scp', [
        ...sshArgs(f, cipher),
        '-P',
        String(f.port),
        ...(recursive ? ['-r'] : []),
        src,
        dst,
      ]);
    },
};

async function keywayClient(f: Fixture, cipher: string) {
  const c = await connect({
    host: '127.0.0.1',
    port: f.port,
    username: 'root',
    verifyHostKey: () => true,
    identityFiles: [f.key],
    identitiesOnly: true,
    agentPath: null,
    algorithms: { ciphers: [cipher] },
  });
  return { c, sftp: await openSftp(c.connection) };
}

const keyway =
  (dir: 'down' | 'up', what: (f: Fixture) => string, recursive: boolean): Case =>
  async (f, cipher, out) => {
    const { c, sftp } = await keywayClient(f, cipher);
    try {
      const r =
        dir === 'down'
          ? await download(sftp, what(f), out, { recursive })
          : await upload(sftp, what(f), out, { recursive });
      if (r.failures.length > 0) throw r.failures[0]?.error;
    } finally {
      sftp.end();
      c.close();
    }
  };

async function ssh2Connect(
  f: Fixture,
  cipher: string,
  best: boolean,
): Promise<{ c: Ssh2Client; sftp: SFTPWrapper }> {
  let sock: Socket | undefined;
  if (best) {
    // at its best: our own socket with Nagle off, handed to ssh2
    const s = createConnection({ host: '127.0.0.1', port: f.port });
    await new Promise<void>((res, rej) => s.once('connect', res).once('error', rej));
    s.setNoDelay(true);
    sock = s;
  }
  return new Promise((resolve, reject) => {
    const c = new Ssh2Client();
    c.on('error', reject);
    c.on('ready', () => {
      c.sftp((e, sftp) => (e ? reject(e) : resolve({ c, sftp })));
    });
    c.connect({
      host: '127.0.0.1',
      port: f.port,
      username: 'root',
      privateKey: readFileSync(f.key),
      algorithms: { cipher: [cipher as 'aes128-gcm@openssh.com'] },
      ...(sock ? { sock } : {}),
    });
  });
}

function ssh2Transfer(
  sftp: SFTPWrapper,
  dir: 'down' | 'up',
  from: string,
  to: string,
  best: boolean,
): Promise<void> {
  const opts = best ? { chunkSize: 255 * 1024, concurrency: 64 } : {};
  return new Promise((resolve, reject) => {
    const done = (e: Error | null | undefined) => (e ? reject(e) : resolve());
    if (dir === 'down') sftp.fastGet(from, to, opts, done);
    else sftp.fastPut(from, to, opts, done);
  });
}

const ssh2 =
  (dir: 'down' | 'up', tree: boolean, best: boolean): Case =>
  async (f, cipher, out) => {
    const { c, sftp } = await ssh2Connect(f, cipher, best);
    try {
      if (!tree) {
        await ssh2Transfer(sftp, dir, f.big, out, best);
        return;
      }
      // ssh2 has no tree transfer: the same walk, four files at a time
      const files: string[] = [];
      for (const e of readdirSync(f.tree, { withFileTypes: true, recursive: true })) {
        if (e.isFile()) files.push(join(e.parentPath, e.name).slice(f.tree.length));
      }
      const dirs = new Set(files.map((p) => p.slice(0, p.lastIndexOf('/'))));
      if (dir === 'down') {
        for (const d of dirs) mkdirSync(out + d, { recursive: true });
      } else {
        const made = new Set<string>();
        const mk = (p: string) => new Promise<void>((res) => sftp.mkdir(p, () => res()));
        for (const d of [...dirs].sort()) {
          const parts = d.split('/').filter(Boolean);
          for (let i = 0; i <= parts.length; i++) {
            const p = out + (i === 0 ? '' : '/' + parts.slice(0, i).join('/'));
            if (!made.has(p)) {
              made.add(p);
              await mk(p);
            }
          }
        }
      }
      let next = 0;
      const worker = async () => {
        while (next < files.length) {
          const p = files[next++] as string;
          await ssh2Transfer(sftp, dir, f.tree + p, out + p, best);
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
    } finally {
      c.end();
    }
  };

interface Row {
  readonly name: string;
  readonly run: Case;
}

function rows(kind: 'file down' | 'file up' | 'tree down' | 'tree up'): Row[] {
  const down = kind.endsWith('down');
  const tree = kind.startsWith('tree');
  const src = (f: Fixture) => (tree ? f.tree : f.big);
  return [
    {
      name: 'OpenSSH sftp',
      run: tree
        ? down
          ? openssh.sftpGetTree
          : openssh.sftpPutTree
        : down
          ? openssh.sftpGet
          : openssh.sftpPut,
    },
    { name: 'OpenSSH scp', run: openssh.scp(src, down, tree) },
    { name: 'Keyway', run: keyway(down ? 'down' : 'up', src, tree) },
    { name: 'ssh2 as shipped', run: ssh2(down ? 'down' : 'up', tree, false) },
    { name: 'ssh2 at its best', run: ssh2(down ? 'down' : 'up', tree, true) },
  ];
}

function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 === 1
    ? (v[mid] as number)
    : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
}

/** One timed transfer: its MB/s, or a note saying why it has none. */
async function timeOnce(
  f: Fixture,
  row: Row,
  cipher: string,
  kind: 'file down' | 'file up' | 'tree down' | 'tree up',
  bytes: number,
): Promise<number | string> {
  const out = join(f.dir, 'out');
  rmSync(out, { recursive: true, force: true });
  if (kind === 'tree up') mkdirSync(out); // the remote side is this machine too
  const target = kind === 'tree up' ? join(out, 'tree') : out;
  // every contender starts with no dirty pages from the one before it being written back
  execFileSync('sync');
  const t0 = performance.now();
  try {
    await row.run(f, cipher, target);
    const got = kind.startsWith('tree') ? treeSize(target) : statSync(target).size;
    if (got !== bytes) return ` (WRONG SIZE ${got})`;
  } catch (e) {
    return ` (FAILED: ${e instanceof Error ? e.message : String(e)})`;
  }
  return bytes / ((performance.now() - t0) / 1000) / 1e6;
}

export async function run(): Promise<void> {
  // Keyway runs in this process, as in the app: with the app's V8 settings (ssh2, in the same
  // process, gets them too)
  applyRuntimeTuning();
  const dir = mkdtempSync(join(tmpdir(), 'keyway-bench-sftp-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id')]);
  const line = readFileSync(join(dir, 'id.pub'), 'utf8').trim();
  const server = await startOpenSsh({ authorizedKeys: [line], hostKeyTypes: ['ed25519'] });
  try {
    const f: Fixture = {
      dir,
      key: join(dir, 'id'),
      port: server.port,
      big: join(dir, 'big.bin'),
      tree: join(dir, 'tree'),
    };
    makeBigFile(f.big);
    makeTree(f.tree);
    const treeBytes = treeSize(f.tree);
    console.log(
      `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; node ${process.version}; ` +
        `file ${BIG_MB} MiB, tree ${TREE_FILES} files / ${(treeBytes / 1e6).toFixed(0)} MB`,
    );
    console.log(
      `each figure is the median of ${REPS} runs (range in brackets); the contenders take ` +
        'turns within a round, in an order that rotates from round to round',
    );
    for (const cipher of CIPHERS) {
      console.log(`\n### ${cipher}`);
      console.log('| transfer | contender | MB/s | × OpenSSH sftp |');
      console.log('|---|---|---:|---:|');
      for (const kind of ['file down', 'file up', 'tree down', 'tree up'] as const) {
        const bytes = kind.startsWith('tree') ? treeBytes : BIG;
        const list = rows(kind);
        const rates = list.map(() => [] as number[]);
        const notes = list.map(() => '');
        for (let rep = 0; rep < REPS; rep++) {
          for (let k = 0; k < list.length; k++) {
            const i = (k + rep) % list.length;
            const row = list[i] as Row;
            const rate = await timeOnce(f, row, cipher, kind, bytes);
            if (typeof rate === 'string') notes[i] = rate;
            else rates[i]?.push(rate);
          }
        }
        const medians = rates.map((r) => median(r));
        const base = medians[0] ?? NaN;
        list.forEach((row, i) => {
          const r = rates[i] ?? [];
          const range =
            r.length > 1 ? ` [${Math.min(...r).toFixed(0)}–${Math.max(...r).toFixed(0)}]` : '';
          const m = medians[i] ?? NaN;
          console.log(
            `| ${kind} | ${row.name}${notes[i] ?? ''} | ${m.toFixed(0)}${range} | ${(m / base).toFixed(2)} |`,
          );
        });
      }
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
