/**
 * One forwarded TCP connection: a channel (direct-tcpip or forwarded-tcpip, RFC 4254 §7.2)
 * joined to a net.Socket, both ways, with backpressure end to end (CONVENTIONS §7).
 *
 * - channel → socket: channel.incoming is piped into the socket. When the socket's buffer is
 *   full the pipe stops reading the channel, the channel stops crediting its window, and the
 *   peer stops sending: at most one window plus the socket's buffers are held.
 * - socket → channel: the socket is piped into channel.writable(), which waits for the peer's
 *   window; when it falls behind the pipe pauses the socket and the kernel's TCP window closes.
 * - Half-close: the peer's EOF ends the socket's writing side (FIN) once every byte has been
 *   written; the socket's FIN ends the writable, and the channel sends EOF once its data is out.
 *   The socket is made with allowHalfOpen, so the other direction keeps going.
 * - CLOSE goes out when both directions have finished. A socket error or reset, the
 *   connection's end, or destroy() tear both down at once: CLOSE, socket destroyed, data queued
 *   on either side dropped. The peer's CLOSE leaves the socket to write what the peer sent
 *   before it, then ends it; a socket that does not take that within `lingerMs` is destroyed.
 * `done` resolves once the channel is finished (both CLOSEs, or the connection gone) and the
 * socket is closed, so nothing of the pair outlives it.
 */
import type { Socket } from 'node:net';
import { getSystemErrorMap } from 'node:util';
import type { Channel } from './channel.js';

/** How long a socket may take to write what the peer sent before its CLOSE. */
export const DEFAULT_LINGER_MS = 10_000;

export interface Tunnel {
  readonly channel: Channel;
  readonly socket: Socket;
  /** Resolves when the channel is finished and the socket closed. */
  readonly done: Promise<void>;
  /** Bytes held in this process for the pair: channel queue, stream and socket buffers. */
  bufferedBytes(): number;
  /** Tears both down now (CLOSE, socket destroyed). */
  destroy(): void;
}

export interface TunnelOptions {
  readonly lingerMs?: number;
  /** A socket error (the tunnel is torn down after it). */
  readonly onError?: (error: Error) => void;
  /** Bytes to send on the channel before the socket's (a SOCKS reply, say). */
  readonly prefix?: Uint8Array;
}

export function joinChannelSocket(
  channel: Channel,
  socket: Socket,
  opts: TunnelOptions = {},
): Tunnel {
  const socketClosed = new Promise<void>((resolve) => {
    if (socket.closed) resolve();
    else socket.once('close', () => resolve());
  });
  let torn = false;
  let linger: NodeJS.Timeout | null = null;
  const teardown = (): void => {
    if (torn) return;
    torn = true;
    if (linger) clearTimeout(linger);
    channel.close();
    channel.incoming.destroy(); // drops and credits what is queued, so `closed` can settle
    socket.destroy();
  };
  socket.on('error', (e) => {
    opts.onError?.(e);
    teardown();
  });

  if (!channel.isOpen || socket.destroyed) {
    teardown();
    return {
      channel,
      socket,
      done: Promise.all([channel.closed, socketClosed]).then(() => {}),
      bufferedBytes: () => 0,
      destroy: teardown,
    };
  }

  socket.setNoDelay(true);
  const out = channel.writable();
  if (opts.prefix && opts.prefix.length > 0) out.write(opts.prefix);
  /** The channel sent EOF: every byte the socket gave was sent first. */
  let sentEof = false;
  /** The socket's writing side finished: every byte the peer sent was written, then FIN. */
  let wroteFin = false;
  /** The peer sent CLOSE: nothing more can be sent to it. */
  let peerClosed = false;
  /** The socket's reading side ended (the TCP peer's FIN). */
  let readEnded = false;
  const settle = (): void => {
    if (wroteFin && (sentEof || peerClosed)) teardown();
  };

  // Neither stream errors by design; a handler keeps a surprise from crashing the process.
  out.on('error', teardown);
  channel.incoming.on('error', teardown);
  out.on('finish', () => {
    sentEof = true;
    settle();
  });
  socket.on('finish', () => {
    wroteFin = true;
    settle();
  });
  socket.on('end', () => (readEnded = true));
  // Closed without its FIN having been read: a reset or a local destroy, not a clean end.
  socket.on('close', () => {
    if (!readEnded) teardown();
  });
  socket.pipe(out);
  channel.incoming.pipe(socket);

  void channel.ended.then((error) => {
    if (error) return teardown(); // the connection is gone
    peerClosed = true;
    socket.unpipe(out);
    socket.resume(); // what the socket still sends has nowhere to go
    if (torn) return;
    settle();
    if (!torn) {
      linger = setTimeout(teardown, opts.lingerMs ?? DEFAULT_LINGER_MS);
      linger.unref();
    }
  });

  return {
    channel,
    socket,
    done: Promise.all([channel.closed, socketClosed]).then(() => {}),
    bufferedBytes: () =>
      channel.incoming.bufferedBytes +
      socket.writableLength +
      socket.readableLength +
      out.writableLength,
    destroy: teardown,
  };
}

/** A socket error as a short sentence: "connection refused (ECONNREFUSED)". */
export function socketErrorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const err = e as NodeJS.ErrnoException;
  const known = typeof err.errno === 'number' ? getSystemErrorMap().get(err.errno) : undefined;
  if (known) return `${known[1]} (${known[0]})`;
  if (err.code === 'ENOTFOUND') return `name not known (${err.code})`;
  return err.code ? `${err.message} (${err.code})` : err.message;
}
