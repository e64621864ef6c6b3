/**
 * Fake server-side session programs for connection tests, on Keyway's own ServerSession:
 * `cat` (stdin back to stdout), and a recorder that keeps every request it was sent.
 */
import { createCipheriv, createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Connection, ServerSession, SessionRequest } from '../../core/connection/index.js';

export interface CatStats {
  /** Bytes the server read from stdin, and their sha256, per session. */
  received: number;
  sha256: string;
}

/** Serves `exec cat`: stdin is piped to stdout; at stdin's end, exit-status 0 and CLOSE. */
export function serveCat(server: Connection, stats: CatStats[] = []): CatStats[] {
  server.onSession = (s) => {
    s.onRequest = (r, a) => {
      if (r.kind !== 'exec' || r.command !== 'cat') return a.reject();
      a.accept();
      const st: CatStats = { received: 0, sha256: '' };
      stats.push(st);
      const h = createHash('sha256');
      s.stdin.on('data', (d: Buffer) => {
        st.received += d.length;
        h.update(d);
      });
      s.stdin.on('end', () => (st.sha256 = h.digest('hex')));
      s.stdin.pipe(s.stdout);
      s.stdout.on('finish', () => void s.finish({ code: 0 }));
    };
  };
  return stats;
}

/** Records every request of every session; accepts all but env names starting with "BAD". */
export function serveRecorder(
  server: Connection,
  onExec?: (s: ServerSession, command: string) => void,
): { requests: SessionRequest[]; sessions: ServerSession[] } {
  const requests: SessionRequest[] = [];
  const sessions: ServerSession[] = [];
  server.onSession = (s) => {
    sessions.push(s);
    s.onRequest = (r, a) => {
      requests.push(r);
      if (r.kind === 'env' && r.name.startsWith('BAD')) return a.reject();
      a.accept();
      if (r.kind === 'exec' && onExec) onExec(s, r.command);
    };
  };
  return { requests, sessions };
}

/** Reads a stream to its end: the bytes' length and sha256. */
export async function digest(stream: Readable): Promise<{ length: number; sha256: string }> {
  const h = createHash('sha256');
  let length = 0;
  for await (const chunk of stream) {
    const b = chunk as Buffer;
    length += b.length;
    h.update(b);
  }
  return { length, sha256: h.digest('hex') };
}

/** Deterministic pseudo-random bytes (an AES-CTR keystream keyed by seed), so a failure reproduces. */
export function patternChunk(seed: number, n: number): Buffer {
  const key = Buffer.alloc(16);
  key.writeUInt32BE(seed >>> 0, 0);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(n));
}
