/**
 * `keyway scp`: scp(1) on Keyway's engine, over SFTP as OpenSSH's scp does by default. Sources
 * and target are local paths or `[user@]host:path` / `scp://` operands (scp-args.ts); remote
 * paths are relative to the login directory and may glob. Copies go up (upload), down
 * (download), or between two remote places through this machine (as `scp -3`). Several
 * sources need a directory target; directories need -r; -p keeps modes and times. A progress
 * meter on a terminal unless -q. Each failure prints `scp: <path>: <reason>`; exit 1 if any
 * file failed, 255 when a connection fails.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { SshClient } from '../client/connect.js';
import { isDirectory } from '../sftp/attrs.js';
import { openSftp, type SftpClient } from '../sftp/client.js';
import {
  download,
  upload,
  type TransferOptions,
  type TransferResult,
} from '../sftp/transfer/index.js';
import { UsageError } from './args.js';
import { connectionKey, parseScpArgs, type ScpArgs, type ScpOperand } from './scp-args.js';
import { reason } from './sftp-format.js';
import { escapeGlob, makeAbsolute, remoteGlob } from './sftp-glob.js';
import { ProgressMeter } from './sftp-progress.js';
import { connectTarget, describeFailure, resolveTarget, type CliIo } from './ssh-connect.js';

type RemoteOperand = Extract<ScpOperand, { kind: 'remote' }>;

interface Remote {
  readonly ssh: SshClient;
  readonly sftp: SftpClient;
  /** The login directory, which relative paths are taken from. */
  readonly home: string;
}

/** A connection failure: scp exits 255 once it is reported. */
class ConnectFailed extends Error {}

class Connections {
  private readonly open = new Map<string, Promise<Remote>>();
  constructor(
    private readonly args: ScpArgs,
    private readonly io: CliIo,
  ) {}

  get(op: RemoteOperand): Promise<Remote> {
    const key = connectionKey(op);
    let r = this.open.get(key);
    if (r === undefined) {
      r = this.connect(op);
      this.open.set(key, r);
    }
    return r;
  }

  private async connect(op: RemoteOperand): Promise<Remote> {
    // each host resolves the config file for itself, on its own copy of the options
    const options = structuredClone(this.args.options);
    const t = await resolveTarget(options, op, this.args.configFile);
    let ssh: SshClient;
    try {
      ssh = await connectTarget(t, this.io);
    } catch (e) {
      this.io.err(describeFailure(e, t.user, t.host, t.port));
      throw new ConnectFailed();
    }
    try {
      const sftp = await openSftp(ssh);
      return { ssh, sftp, home: await sftp.realpath('.') };
    } catch (e) {
      ssh.close();
      this.io.err(`scp: Couldn't start the sftp subsystem on ${t.host}: ${(e as Error).message}`);
      throw new ConnectFailed();
    }
  }

  async closeAll(): Promise<void> {
    for (const r of this.open.values()) {
      const c = await r.catch(() => null);
      c?.sftp.end();
      c?.ssh.close();
    }
  }
}

function localIsDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

async function remoteIsDir(r: Remote, p: string): Promise<boolean> {
  return r.sftp.stat(p).then(isDirectory, () => false);
}

interface Copier {
  readonly args: ScpArgs;
  readonly io: CliIo;
  readonly meter: ProgressMeter | null;
}

async function transfer(
  c: Copier,
  path: string,
  run: (o: TransferOptions) => Promise<TransferResult>,
): Promise<boolean> {
  try {
    const result = await run({
      recursive: c.args.recursive,
      preserve: c.args.preserve,
      ...(c.meter !== null ? { onProgress: (p) => c.meter?.update(p) } : {}),
    });
    c.meter?.finish();
    for (const f of result.failures) c.io.err(`scp: ${f.path}: ${reason(f.error)}`);
    return result.failures.length === 0;
  } catch (e) {
    c.meter?.finish();
    c.io.err(`scp: ${path}: ${reason(e)}`);
    return false;
  }
}

/** The remote files a source names (globbed), each with whether it is a directory. */
async function remoteSources(
  c: Copier,
  r: Remote,
  op: RemoteOperand,
): Promise<{ path: string; dir: boolean }[] | null> {
  const pattern = makeAbsolute(op.path, escapeGlob(r.home));
  const matches = await remoteGlob(r.sftp, pattern);
  const shown = makeAbsolute(op.path, r.home);
  if (matches.length === 0) {
    c.io.err(`scp: ${shown}: No such file or directory`);
    return null;
  }
  const out: { path: string; dir: boolean }[] = [];
  for (const m of matches) {
    try {
      out.push({ path: m.path, dir: isDirectory(await r.sftp.stat(m.path)) });
    } catch (e) {
      c.io.err(`scp: ${m.path}: ${reason(e)}`);
      return null;
    }
  }
  return out;
}

/** Downloads `op` into the local `target` (into it when it is a directory). */
async function down(c: Copier, r: Remote, op: RemoteOperand, target: string): Promise<boolean> {
  const sources = await remoteSources(c, r, op);
  if (sources === null) return false;
  if (sources.length > 1 && !localIsDir(target)) {
    c.io.err(`scp: ${target}: Not a directory`);
    return false;
  }
  let ok = true;
  for (const s of sources) {
    if (s.dir && !c.args.recursive) {
      c.io.err(`scp: ${s.path}: not a regular file`);
      ok = false;
      continue;
    }
    // into a directory, download() puts it under its own name
    if (!(await transfer(c, s.path, (o) => download(r.sftp, s.path, target, o)))) ok = false;
  }
  return ok;
}

/** Uploads the local `source` to the remote `target` (into it when it is a directory). */
async function up(c: Copier, source: string, r: Remote, target: string): Promise<boolean> {
  let dir: boolean;
  try {
    dir = statSync(source).isDirectory();
  } catch (e) {
    c.io.err(`scp: ${source}: ${reason(e)}`);
    return false;
  }
  if (dir && !c.args.recursive) {
    c.io.err(`scp: ${source}: not a regular file`);
    return false;
  }
  // into a directory, upload() puts it under its own name
  return transfer(c, source, (o) => upload(r.sftp, resolve(source), target, o));
}

async function copy(c: Copier, conns: Connections): Promise<boolean> {
  const { sources, target } = c.args;
  if (target.kind === 'local') {
    if (sources.some((s) => s.kind === 'local')) {
      throw new UsageError('local to local copies are not supported: use cp');
    }
    if (sources.length > 1 && !localIsDir(target.path)) {
      c.io.err(`scp: ${target.path}: Not a directory`);
      return false;
    }
    let ok = true;
    for (const s of sources as RemoteOperand[]) {
      if (!(await down(c, await conns.get(s), s, target.path))) ok = false;
    }
    return ok;
  }
  const r = await conns.get(target);
  const dst = makeAbsolute(target.path, r.home);
  const intoDir = await remoteIsDir(r, dst);
  if (sources.length > 1 && !intoDir) {
    c.io.err(`scp: ${dst}: Not a directory`);
    return false;
  }
  let ok = true;
  for (const s of sources) {
    if (s.kind === 'local') {
      if (!(await up(c, s.path, r, dst))) ok = false;
      continue;
    }
    // remote to remote: through a private temporary directory here, as scp -3 relays it
    const staging = mkdtempSync(join(tmpdir(), 'keyway-scp-'));
    try {
      if (!(await down(c, await conns.get(s), s, staging))) ok = false;
      for (const name of readdirSync(staging)) {
        if (!(await up(c, join(staging, name), r, dst))) ok = false;
      }
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  return ok;
}

export async function scpMain(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseScpArgs(argv);
  const tty = process.stdout.isTTY === true && !args.quiet;
  const c: Copier = { args, io, meter: tty ? new ProgressMeter(process.stdout) : null };
  const conns = new Connections(args, io);
  try {
    return (await copy(c, conns)) ? 0 : 1;
  } catch (e) {
    if (e instanceof ConnectFailed) return 255;
    throw e;
  } finally {
    await conns.closeAll();
  }
}
