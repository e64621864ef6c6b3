/**
 * Shared by the transfer tests: OpenSSH's own sftp-server spawned as a child (its stdio is the
 * SFTP stream), file hashing and tree comparison, and a LocalFs wrapper that injects failures
 * or acts on the bytes read or written (to cancel or kill the server mid-transfer).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { SftpClient } from '../../core/sftp/client.js';
import { nodeLocalFs, type LocalFileHandle, type LocalFs } from '../../core/sftp/transfer/index.js';

export const SFTP_SERVER = '/usr/lib/openssh/sftp-server';

export interface ServerChild {
  readonly client: SftpClient;
  readonly child: ChildProcessWithoutNullStreams;
  /** Ends the session and waits for the child to exit. */
  stop(): Promise<void>;
}

/** A fresh sftp-server working in `cwd`, and a started client on it. */
export async function startSftpServer(cwd: string): Promise<ServerChild> {
  const child = spawn(SFTP_SERVER, ['-e', '-l', 'ERROR'], { cwd });
  child.stderr.resume();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const client = await SftpClient.start({
    readable: child.stdout,
    writable: child.stdin,
    close: () => child.stdin.end(),
  });
  return {
    client,
    child,
    stop: async () => {
      client.end();
      if (child.exitCode === null && child.signalCode === null) child.kill();
      await exited;
    },
  };
}

export const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
export const shaFile = (p: string): string => sha(readFileSync(p));

/** A description of a tree: path → 'dir' | 'link:<target>' | sha256 of a file's bytes. */
export function treeShape(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const r = rel === '' ? name : `${rel}/${name}`;
      const st = lstatSync(p);
      if (st.isSymbolicLink()) out.set(r, `link:${readlinkSync(p)}`);
      else if (st.isDirectory()) {
        out.set(r, 'dir');
        walk(p, r);
      } else if (st.isFile()) out.set(r, shaFile(p));
      else out.set(r, 'special');
    }
  };
  walk(root, '');
  return out;
}

/**
 * A LocalFs whose handles opened on paths that `match` call `onWrite` / `onRead` with the
 * running byte count (and which write call) before each write / read, and wait for it; a hook that throws fails that
 * call with its error.
 */
export function watchLocal(
  match: (path: string) => boolean,
  hooks: {
    onWrite?: (written: number, call: 'write' | 'writev') => void | Promise<void>;
    onRead?: (read: number) => void | Promise<void>;
  },
  base: LocalFs = nodeLocalFs,
): LocalFs {
  return {
    ...base,
    open: async (path, flags, mode) => {
      const fh = await base.open(path, flags, mode);
      if (!match(path)) return fh;
      let written = 0;
      let read = 0;
      const wrapped: LocalFileHandle = {
        read: async (buffer, offset, length, position) => {
          await hooks.onRead?.(read);
          const r = await fh.read(buffer, offset, length, position);
          read += r.bytesRead;
          return r;
        },
        write: async (buffer, offset, length, position) => {
          await hooks.onWrite?.(written, 'write');
          const r = await fh.write(buffer, offset, length, position);
          written += r.bytesWritten;
          return r;
        },
        writev: async (buffers, position) => {
          await hooks.onWrite?.(written, 'writev');
          const r = await fh.writev(buffers, position);
          written += r.bytesWritten;
          return r;
        },
        stat: () => fh.stat(),
        truncate: (n) => fh.truncate(n),
        chmod: (m) => fh.chmod(m),
        utimes: (a, m) => fh.utimes(a, m),
        close: () => fh.close(),
      };
      return wrapped;
    },
  };
}

/** `base` with every handle it opens passed through `wrap` (with the path it was opened on). */
export function wrapLocal(
  wrap: (fh: LocalFileHandle, path: string) => LocalFileHandle,
  base: LocalFs = nodeLocalFs,
): LocalFs {
  return {
    ...base,
    open: async (path, flags, mode) => wrap(await base.open(path, flags, mode), path),
  };
}

/** A LocalFileHandle that forwards every call to `fh` (spread it and replace what a test fakes). */
export function forwardingHandle(fh: LocalFileHandle): LocalFileHandle {
  return {
    read: (b, o, n, at) => fh.read(b, o, n, at),
    write: (b, o, n, at) => fh.write(b, o, n, at),
    writev: (buffers, at) => fh.writev(buffers, at),
    stat: () => fh.stat(),
    truncate: (n) => fh.truncate(n),
    chmod: (m) => fh.chmod(m),
    utimes: (a, m) => fh.utimes(a, m),
    close: () => fh.close(),
  };
}

/** An Error shaped as Node's errno errors ('ENOSPC', …). */
export function errnoError(code: string, syscall: string, path?: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(
    `${code}: injected, ${syscall}${path === undefined ? '' : ` '${path}'`}`,
  );
  e.code = code;
  e.syscall = syscall;
  if (path !== undefined) e.path = path;
  return e;
}

/** A method of SftpClient, bound to it, as spyClient() hands it over. */
export type ClientMethod = (...args: never[]) => unknown;

/**
 * `c` with some methods replaced: `wrap` sees each method's name and the method bound to `c`,
 * and returns its replacement, or undefined to leave it as it is.
 */
export function spyClient(
  c: SftpClient,
  wrap: (name: string | symbol, method: ClientMethod) => ClientMethod | undefined,
): SftpClient {
  return new Proxy(c, {
    get(target, k) {
      const v: unknown = Reflect.get(target, k, target);
      if (typeof v !== 'function') return v;
      const bound = (v as ClientMethod).bind(target) as ClientMethod;
      return wrap(k, bound) ?? bound;
    },
  });
}
