/**
 * The SFTP benchmark's in-process contenders, each in a process of its own: Keyway (connect +
 * SFTP channel + core/sftp/transfer, the app's path, from its build in dist/) and the `ssh2`
 * package's fastGet / fastPut, as shipped and at its best. sftp.bench.ts forks this file once
 * per contender and sends it one job per timed transfer; it answers each with `{ ok: true }`
 * or `{ error }`.
 *
 * A process each, as OpenSSH's contenders have: in one shared process, each one's garbage
 * and each one's shapes in node's own stream and promise code were the other's to collect and
 * to deoptimize, and whichever ran second in a round paid for it (measured: Keyway's tree
 * upload 13% slower after ssh2's, ssh2's 7% faster after Keyway's). Every process runs with
 * Keyway's V8 settings, as before.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { Client as Ssh2Client, type FileEntryWithStats, type SFTPWrapper } from 'ssh2';
import type { connect } from '../core/client/connect.js';
import type { openSftp } from '../core/sftp/client.js';
import type { download, upload } from '../core/sftp/transfer/index.js';
import { DEFAULT_CONCURRENCY, SMALL_FILE_FACTOR } from '../core/sftp/transfer/types.js';
import { applyRuntimeTuning } from '../core/runtime-tuning.js';

/**
 * Keyway as `keyway` and the app run it: tsc's build in dist/ (`npm run bench` runs `tsc -b`
 * first), not this file's tsx. tsx's esbuild output wraps every named closure in a __name()
 * call that sets the function's name as it is made, which cost Keyway 16% more client CPU in
 * a tree upload (480 against 570 ms, 9 interleaved rounds); ssh2 loads as it is shipped.
 */
interface KeywayBuild {
  readonly connect: typeof connect;
  readonly openSftp: typeof openSftp;
  readonly download: typeof download;
  readonly upload: typeof upload;
}

let build: Promise<KeywayBuild> | undefined;

function keywayBuild(): Promise<KeywayBuild> {
  const from = (path: string): Promise<Record<string, unknown>> =>
    import(new URL(`../dist/core/${path}`, import.meta.url).href) as Promise<
      Record<string, unknown>
    >;
  build ??= Promise.all([
    from('client/connect.js'),
    from('sftp/client.js'),
    from('sftp/transfer/index.js'),
  ]).then(([c, s, t]) => ({ ...c, ...s, ...t }) as unknown as KeywayBuild);
  return build;
}

export type ContenderName = 'keyway' | 'ssh2-shipped' | 'ssh2-best';

/** One timed transfer, from the parent. */
export interface ContenderJob {
  readonly dir: 'down' | 'up';
  readonly tree: boolean;
  readonly cipher: string;
  readonly port: number;
  /** The private key file to log in with. */
  readonly key: string;
  /** Source: a remote path for a download, a local one for an upload. */
  readonly src: string;
  readonly out: string;
}

export type ContenderReply = { readonly ok: true } | { readonly error: string };

async function keyway(job: ContenderJob): Promise<void> {
  const k = await keywayBuild();
  const c = await k.connect({
    host: '127.0.0.1',
    port: job.port,
    username: 'root',
    verifyHostKey: () => true,
    identityFiles: [job.key],
    identitiesOnly: true,
    agentPath: null,
    algorithms: { ciphers: [job.cipher] },
  });
  const sftp = await k.openSftp(c.connection);
  try {
    const o = { recursive: job.tree };
    const r =
      job.dir === 'down'
        ? await k.download(sftp, job.src, job.out, o)
        : await k.upload(sftp, job.src, job.out, o);
    if (r.failures.length > 0) throw r.failures[0]?.error;
  } finally {
    sftp.end();
    c.close();
  }
}

async function ssh2Connect(
  job: ContenderJob,
  best: boolean,
): Promise<{ c: Ssh2Client; sftp: SFTPWrapper }> {
  let sock: Socket | undefined;
  if (best) {
    // at its best: our own socket with Nagle off, handed to ssh2
    const s = createConnection({ host: '127.0.0.1', port: job.port });
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
      port: job.port,
      username: 'root',
      privateKey: readFileSync(job.key),
      algorithms: { cipher: [job.cipher as 'aes128-gcm@openssh.com'] },
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

async function ssh2(job: ContenderJob, best: boolean): Promise<void> {
  const { c, sftp } = await ssh2Connect(job, best);
  try {
    if (!job.tree) {
      await ssh2Transfer(sftp, job.dir, job.src, job.out, best);
      return;
    }
    // ssh2 has no tree transfer: the bench walks, then moves files as many at a time as
    // Keyway moves files that fit one READ or WRITE, as the tree's do
    const files: string[] = [];
    if (job.dir === 'down') {
      files.push(...(await ssh2RemoteWalk(sftp, job.src, job.out, '')));
    } else {
      for (const e of readdirSync(job.src, { withFileTypes: true, recursive: true })) {
        if (e.isFile()) files.push(join(e.parentPath, e.name).slice(job.src.length));
      }
      const dirs = new Set(files.map((p) => p.slice(0, p.lastIndexOf('/'))));
      const made = new Set<string>();
      const mk = (p: string) => new Promise<void>((res) => sftp.mkdir(p, () => res()));
      for (const d of [...dirs].sort()) {
        const parts = d.split('/').filter(Boolean);
        for (let i = 0; i <= parts.length; i++) {
          const p = job.out + (i === 0 ? '' : '/' + parts.slice(0, i).join('/'));
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
        await ssh2Transfer(sftp, job.dir, job.src + p, job.out + p, best);
      }
    };
    await Promise.all(Array.from({ length: SMALL_FILE_FACTOR * DEFAULT_CONCURRENCY }, worker));
  } finally {
    c.end();
  }
}

/**
 * The regular files under remote `root` + `rel` (as paths relative to `root`), making each
 * directory under local `out` as it is listed; sibling directories are listed at once.
 */
async function ssh2RemoteWalk(
  sftp: SFTPWrapper,
  root: string,
  out: string,
  rel: string,
): Promise<string[]> {
  await mkdir(out + rel, { recursive: true });
  const entries = await new Promise<FileEntryWithStats[]>((resolve, reject) =>
    sftp.readdir(root + rel, (e, list) => (e ? reject(e) : resolve(list))),
  );
  const files: string[] = [];
  const below: Promise<string[]>[] = [];
  for (const e of entries) {
    const p = `${rel}/${e.filename}`;
    if (e.attrs.isDirectory()) below.push(ssh2RemoteWalk(sftp, root, out, p));
    else if (e.attrs.isFile()) files.push(p);
  }
  for (const more of await Promise.all(below)) files.push(...more);
  return files;
}

const RUN: Record<ContenderName, (job: ContenderJob) => Promise<void>> = {
  keyway,
  'ssh2-shipped': (job) => ssh2(job, false),
  'ssh2-best': (job) => ssh2(job, true),
};

// forked by sftp.bench.ts with the contender's name as its argument
const who = process.argv[2] as ContenderName | undefined;
if (process.send !== undefined && who !== undefined && who in RUN) {
  applyRuntimeTuning();
  const reply = (r: ContenderReply): void => void process.send?.(r);
  process.on('message', (job: ContenderJob) => {
    RUN[who](job).then(
      () => reply({ ok: true }),
      (e: unknown) => reply({ error: e instanceof Error ? e.message : String(e) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
