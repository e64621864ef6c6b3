/**
 * Joins a sans-IO Transport to a Duplex stream: a TCP socket, a channel of another
 * connection (jump hosts) or a child process's stdio (ProxyCommand). The only place where
 * the transport meets I/O.
 */
import { connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ConnectionLost, TimeoutError } from '../errors.js';
import type { Transport } from './transport.js';

/** How often the adapter lets an idle transport check its time-based rekey limit. */
const TICK_MS = 60_000;

/**
 * Wires transport ⇄ stream and starts the transport. When the transport closes the stream is
 * ended (after the DISCONNECT is flushed); when the stream ends the transport is told.
 */
export function attachTransport(transport: Transport, stream: Duplex): void {
  // A packet that comes in pieces (bulk data, sealed without joining) is corked, and what else
  // the transport sends in that turn of the event loop joins it: one writev when the turn ends.
  let corked = false;
  const uncork = (): void => {
    corked = false;
    stream.uncork();
  };
  transport.onSend = (data, more) => {
    if (stream.destroyed) return;
    if (more === true && !corked) {
      corked = true;
      stream.cork();
      process.nextTick(uncork);
    }
    stream.write(data);
  };
  const prevClose = transport.onClose;
  const timer = setInterval(() => transport.tick(), TICK_MS);
  timer.unref();
  transport.onClose = (err) => {
    clearInterval(timer);
    stream.end();
    // give the peer a moment to read our DISCONNECT, then make sure the stream goes away
    setTimeout(() => stream.destroy(), 1000).unref();
    prevClose(err);
  };
  const inbox = (stream as Partial<ReadInto>)[READ_INTO];
  if (inbox !== undefined) inbox.attach((chunk) => transport.receive(chunk, true));
  else stream.on('data', (chunk: Buffer) => transport.receive(chunk));
  stream.on('end', () => transport.handleEof());
  stream.on('close', () => transport.handleEof());
  stream.on('error', (e: Error) => transport.handleEof(e));
  transport.start();
}

export interface TcpOptions {
  readonly host: string;
  readonly port: number;
  /** Connect timeout (ConnectTimeout). */
  readonly timeoutMs?: number;
}

/**
 * A socket that reads into one buffer of its own (net's `onread`) rather than a new buffer per
 * read: a bulk download otherwise allocates every byte it receives once more, and that
 * allocation kept the garbage collector busy. The transport takes each chunk as transient.
 */
const READ_INTO = Symbol('keyway.readInto');
const READ_BUFFER = 256 * 1024;

interface ReadInto {
  readonly [READ_INTO]: { attach(deliver: (chunk: Uint8Array) => void): void };
}

/**
 * Opens a TCP connection with TCP_NODELAY (SSH packets are latency-sensitive and already
 * framed), reading into a buffer of its own (READ_INTO): its data goes to the transport that
 * attachTransport() joins to it, not to 'data' listeners.
 */
export function connectTcp(opts: TcpOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    let deliver: ((chunk: Uint8Array) => void) | null = null;
    const early: Uint8Array[] = [];
    const socket = netConnect({
      host: opts.host,
      port: opts.port,
      noDelay: true,
      onread: {
        buffer: Buffer.allocUnsafe(READ_BUFFER),
        callback: (n: number, buf: Uint8Array): boolean => {
          const chunk = buf.subarray(0, n);
          if (deliver !== null) deliver(chunk);
          else early.push(chunk.slice()); // nobody attached yet: keep a copy
          return true;
        },
      },
    });
    Object.defineProperty(socket, READ_INTO, {
      value: {
        attach(d: (chunk: Uint8Array) => void): void {
          deliver = d;
          for (const c of early.splice(0)) d(c);
        },
      },
    });
    const timeout = opts.timeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new TimeoutError(
          `connection to ${opts.host} port ${opts.port} timed out after ${timeout} ms`,
        ),
      );
    }, timeout);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new ConnectionLost(
          `connect to ${opts.host} port ${opts.port}: ${e.message}`,
          { code: e.code },
          { cause: e },
        ),
      );
    });
  });
}
