/**
 * SFTP throughput, side by side in one run against Debian's sshd on loopback (its
 * /usr/lib/openssh/sftp-server), with aes128-gcm@openssh.com and chacha20-poly1305@openssh.com:
 * a 1 GiB file and a tree of 2,000 files (100 MB) down and up, by
 *   - OpenSSH `sftp` (batch mode) and `scp` (SFTP protocol, as OpenSSH 9 does),
 *   - Keyway (connect + SFTP channel + core/sftp/transfer, the app's path),
 *   - the `ssh2` package's fastGet / fastPut as shipped (32 KiB chunks, 64 requests) and at
 *     its best (socket setNoDelay(true), 255 KiB chunks),
 * the last three each in a Node process of its own (sftp-contender.ts), started once.
 * Every timing includes connecting and authenticating; every result is checked by size.
 * Prints MB/s (10^6 bytes per second) and each contender's ratio to OpenSSH `sftp`.
 *
 * ssh2 has no tree transfer, so the bench does its walk: a download lists the remote tree over
 * SFTP (sibling directories at once) as any ssh2 client must, an upload reads the local one;
 * then SMALL_FILE_FACTOR × DEFAULT_CONCURRENCY files at a time, as Keyway moves files that
 * fit one READ or WRITE (the tree's all do).
 * Every tree goes to a directory of its own, and all are removed at the end: on ext4 without a
 * journal, creating files within a minute of deleting thousands makes every create scan the
 * recently freed inodes (ext4's recently_deleted), which timed the filesystem's allocator
 * rather than the contenders, and whichever came after a deletion most.
 * A benchmark, not a test: nothing here fails on speed. BENCH_SFTP_MB=256 for a quicker run;
 * BENCH_SFTP_REPS (default 3) rounds of the file transfers and BENCH_SFTP_TREE_REPS (default
 * 5) of the trees, which take a few seconds each and swing the most, reported as medians.
 */
import { execFile, execFileSync, fork, type ChildProcess } from 'node:child_process';
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
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startOpenSsh } from '../test/interop/harness/index.js';
import type { ContenderJob, ContenderName, ContenderReply } from './sftp-contender.js';

const exec = promisify(execFile);
const BIG_MB = Number(process.env['BENCH_SFTP_MB'] ?? 1024);
const BIG = BIG_MB * 1024 * 1024;
const REPS = Math.max(1, Number(process.env['BENCH_SFTP_REPS'] ?? 3));
const TREE_REPS = Math.max(1, Number(process.env['BENCH_SFTP_TREE_REPS'] ?? 5));
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

/** A contender process (sftp-contender.ts), forked once, given one job per transfer. */
class ContenderProcess {
  private readonly child: ChildProcess;
  private waiting: ((r: ContenderReply) => void) | null = null;

  constructor(who: ContenderName) {
    const file = fileURLToPath(new URL('./sftp-contender.ts', import.meta.url));
    this.child = fork(file, [who], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
    this.child.on('message', (r: ContenderReply) => this.answer(r));
    this.child.on('exit', (code) => this.answer({ error: `the ${who} process exited (${code})` }));
  }

  run(job: ContenderJob): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting = (r) => ('ok' in r ? resolve() : reject(new Error(r.error)));
      this.child.send(job);
    });
  }

  stop(): void {
    if (this.child.connected) this.child.disconnect(); // it exits when its channel closes
  }

  private answer(r: ContenderReply): void {
    const w = this.waiting;
    this.waiting = null;
    w?.(r);
  }
}

/** A transfer by one of the in-process contenders, in its own process. */
const inProcess =
  (p: ContenderProcess, dir: 'down' | 'up', tree: boolean): Case =>
  (f, cipher, out) =>
    p.run({ dir, tree, cipher, port: f.port, key: f.key, src: tree ? f.tree : f.big, out });

interface Row {
  readonly name: string;
  readonly run: Case;
}

type Contenders = Record<ContenderName, ContenderProcess>;

function rows(kind: 'file down' | 'file up' | 'tree down' | 'tree up', p: Contenders): Row[] {
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
    { name: 'Keyway', run: inProcess(p.keyway, down ? 'down' : 'up', tree) },
    { name: 'ssh2 as shipped', run: inProcess(p['ssh2-shipped'], down ? 'down' : 'up', tree) },
    { name: 'ssh2 at its best', run: inProcess(p['ssh2-best'], down ? 'down' : 'up', tree) },
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

let treeRuns = 0;

/** One timed transfer: its MB/s, or a note saying why it has none. */
async function timeOnce(
  f: Fixture,
  row: Row,
  cipher: string,
  kind: 'file down' | 'file up' | 'tree down' | 'tree up',
  bytes: number,
): Promise<number | string> {
  // a tree goes to a directory of its own, kept until the end (see the top of this file)
  const out = kind.startsWith('tree')
    ? join(f.dir, 'trees', String(treeRuns++))
    : join(f.dir, 'out');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(dirname(out), { recursive: true });
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
  const dir = mkdtempSync(join(tmpdir(), 'keyway-bench-sftp-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id')]);
  const line = readFileSync(join(dir, 'id.pub'), 'utf8').trim();
  const server = await startOpenSsh({ authorizedKeys: [line], hostKeyTypes: ['ed25519'] });
  const contenders: Contenders = {
    keyway: new ContenderProcess('keyway'),
    'ssh2-shipped': new ContenderProcess('ssh2-shipped'),
    'ssh2-best': new ContenderProcess('ssh2-best'),
  };
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
      `each figure is the median of ${REPS} runs for files and ${TREE_REPS} for trees (range ` +
        'in brackets); the contenders take turns within a round, in an order that rotates ' +
        'from round to round',
    );
    for (const cipher of CIPHERS) {
      console.log(`\n### ${cipher}`);
      console.log('| transfer | contender | MB/s | × OpenSSH sftp |');
      console.log('|---|---|---:|---:|');
      for (const kind of ['file down', 'file up', 'tree down', 'tree up'] as const) {
        const bytes = kind.startsWith('tree') ? treeBytes : BIG;
        const list = rows(kind, contenders);
        const rates = list.map(() => [] as number[]);
        const notes = list.map(() => '');
        const reps = kind.startsWith('tree') ? TREE_REPS : REPS;
        for (let rep = 0; rep < reps; rep++) {
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
    for (const p of Object.values(contenders)) p.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
