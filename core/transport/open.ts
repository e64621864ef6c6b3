/**
 * Opens a client transport over TCP, or over a stream that is already open (a channel of a
 * jump host, a ProxyCommand's stdio), and waits for the first key exchange: what keyscan, the
 * interop tests and client/connect() build on.
 */
import type { Duplex } from 'node:stream';
import { TimeoutError } from '../errors.js';
import type { AlgorithmConfig } from './algorithms.js';
import { attachTransport, connectTcp } from './adapter.js';
import { Transport, type HostKeyVerifier, type KexCompleted } from './transport.js';

export interface OpenTransportOptions {
  /** The server's name and port: dialled by TCP, or only named in messages with `stream`. */
  readonly host: string;
  readonly port: number;
  /** An open stream to run over instead of a TCP connection to host:port. */
  readonly stream?: Duplex;
  readonly verifyHostKey: HostKeyVerifier;
  readonly algorithms?: AlgorithmConfig;
  /** Time for TCP connect plus the whole first key exchange. Default 30 s. */
  readonly timeoutMs?: number;
  readonly rekeyLimitBytes?: number;
  readonly rekeyIntervalMs?: number;
}

export interface OpenedTransport {
  readonly transport: Transport;
  /** The TCP socket, or the stream given in the options. */
  readonly socket: Duplex;
  readonly kex: KexCompleted;
}

export async function openTransport(opts: OpenTransportOptions): Promise<OpenedTransport> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const started = Date.now();
  const transport = new Transport({
    role: 'client',
    verifyHostKey: opts.verifyHostKey,
    ...(opts.algorithms ? { algorithms: opts.algorithms } : {}),
    ...(opts.rekeyLimitBytes !== undefined ? { rekeyLimitBytes: opts.rekeyLimitBytes } : {}),
    ...(opts.rekeyIntervalMs !== undefined ? { rekeyIntervalMs: opts.rekeyIntervalMs } : {}),
  });
  const socket = opts.stream ?? (await connectTcp({ host: opts.host, port: opts.port, timeoutMs }));
  attachTransport(transport, socket);
  const left = Math.max(1, timeoutMs - (Date.now() - started));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const e = new TimeoutError(`key exchange with ${opts.host} port ${opts.port} timed out`);
      reject(e);
      transport.abort(e);
    }, left);
  });
  try {
    const kex = await Promise.race([transport.ready, timeout]);
    return { transport, socket, kex };
  } finally {
    clearTimeout(timer);
  }
}
