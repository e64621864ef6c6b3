/**
 * A Node Duplex over one channel's data (RFC 4254 §5.2, §5.3): what a jump host's direct-tcpip
 * channel carries for the next hop's transport (the transport's adapter runs over any Duplex),
 * and what `ssh -W` joins to stdin/stdout.
 *
 * - Reading: the channel's inbound stream flows into this Duplex only while its consumer keeps
 *   up; when push() refuses, the inbound stream is paused, the channel stops crediting its
 *   window, and the peer stops sending.
 * - Writing: each chunk goes to the channel's writable, and the write's callback waits until the
 *   chunk has been sent inside the peer's window, so writers see backpressure (write() returns
 *   false, 'drain' later).
 * - Half-close: end() sends EOF once everything written has been sent; the peer's EOF ends the
 *   readable side. The other direction keeps going. CLOSE goes out once both directions are
 *   done (OpenSSH closes a channel the same way).
 * - The peer's CLOSE ends the readable side after the data that came before it; writes after it
 *   are dropped (the bytes have nowhere to go). destroy() sends CLOSE at once and drops what is
 *   queued. The connection ending under the channel destroys the Duplex with its error.
 */
import { Duplex } from 'node:stream';
import type { Channel } from './channel.js';
import type { ChannelWritable } from './streams.js';

export class ChannelDuplex extends Duplex {
  readonly channel: Channel;
  private readonly out: ChannelWritable;
  private readEnded = false;
  private writeEnded = false;

  constructor(channel: Channel) {
    super({ allowHalfOpen: true });
    this.channel = channel;
    this.out = channel.writable();
    const incoming = channel.incoming;
    incoming.on('data', (chunk: Uint8Array) => {
      if (!this.push(chunk)) incoming.pause();
    });
    incoming.on('end', () => this.push(null));
    // Neither stream errors by design; a handler keeps a surprise from crashing the process.
    incoming.on('error', (e) => this.destroy(e));
    this.out.on('error', (e) => this.destroy(e));
    this.once('end', () => {
      this.readEnded = true;
      this.closeWhenDone();
    });
    void channel.ended.then((error) => {
      if (error) this.destroy(error);
      else if (this.readEnded) this.destroy();
      else this.once('end', () => this.destroy());
    });
  }

  override _read(): void {
    this.channel.incoming.resume();
  }

  override _write(
    chunk: Uint8Array,
    _encoding: BufferEncoding,
    cb: (e?: Error | null) => void,
  ): void {
    this.out.write(chunk, (e) => cb(e));
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.out.end(() => {
      this.writeEnded = true;
      this.closeWhenDone();
      cb();
    });
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.channel.close();
    this.channel.incoming.destroy(); // drops and credits what is queued
    cb(err);
  }

  private closeWhenDone(): void {
    if (this.readEnded && this.writeEnded) this.channel.close();
  }
}
