/**
 * The sending half of a channel (RFC 4254 §5.2, §5.3): the peer's window and maximum packet,
 * the writable streams that draw on them, and EOF once every one of them has ended.
 *
 * EOF waits for all outbound streams (stdout and stderr on a server), because the peer treats
 * extended data after EOF as a protocol error, as OpenSSH does. After EOF nothing more is sent.
 */
import { ChannelClosedError } from '../errors.js';
import type { ByteParts } from '../wire/byte-parts.js';
import { ChannelWritable } from './streams.js';
import { Window } from './window.js';

/** Largest data payload we put in one packet, whatever larger size the peer allows. */
export const MAX_SEND_CHUNK = 32 * 1024;

export interface OutboundLink {
  /** The channel is open and has not sent CLOSE. */
  isOpen(): boolean;
  /** Sends CHANNEL_DATA (extended undefined) or CHANNEL_EXTENDED_DATA of the parts' bytes. */
  sendData(data: ByteParts, extended: number | undefined): void;
  sendEof(): void;
}

export class Outbound {
  /** Credit the peer gave us; data and extended data both draw on it. */
  readonly window = new Window(0);
  private readonly link: OutboundLink;
  private readonly label: string;
  private maxPacket = 0;
  private eofSent = false;
  private gone = false;
  private writers: { stream: ChannelWritable; ended: { done: boolean } }[] = [];
  private eofWaiters: (() => void)[] = [];

  constructor(label: string, link: OutboundLink) {
    this.label = label;
    this.link = link;
  }

  /** The peer's window and maximum packet, from its open or confirmation. */
  start(window: number, maxPacket: number): void {
    this.maxPacket = maxPacket;
    this.window.add(window);
  }

  /** Largest data chunk per packet. */
  get maxChunk(): number {
    return Math.max(1, Math.min(this.maxPacket, MAX_SEND_CHUNK));
  }

  get eofDone(): boolean {
    return this.eofSent;
  }

  writable(extended?: number): ChannelWritable {
    if (this.eofSent || this.gone) {
      throw new ChannelClosedError(`${this.label}: no more data can be sent`);
    }
    const ended = { done: false };
    const stream = new ChannelWritable({
      window: this.window,
      maxChunk: () => this.maxChunk,
      canSend: () => this.link.isOpen() && !this.eofSent,
      send: (data) => this.link.sendData(data, extended),
      finished: () => {
        ended.done = true;
        this.maybeEof();
      },
    });
    this.writers.push({ stream, ended });
    return stream;
  }

  /** Ends every writable; resolves once EOF is sent (or can no longer be). */
  eof(): Promise<void> {
    const sent = new Promise<void>((resolve) => {
      if (this.eofSent || this.gone || !this.link.isOpen()) resolve();
      else this.eofWaiters.push(resolve);
    });
    if (this.writers.length === 0) this.maybeEof();
    for (const w of this.writers) w.stream.end();
    return sent;
  }

  /** We sent CLOSE: nothing more goes out; writes still pending complete unsent. */
  stop(): void {
    this.window.close();
    this.wake();
  }

  /** The channel is finished: the writables are destroyed (pipes into them unpipe). */
  destroy(): void {
    this.gone = true;
    this.stop();
    for (const w of this.writers) w.stream.destroy();
  }

  private maybeEof(): void {
    if (this.eofSent || !this.link.isOpen()) return;
    if (!this.writers.every((w) => w.ended.done)) return;
    this.eofSent = true;
    this.link.sendEof();
    this.wake();
  }

  private wake(): void {
    const ws = this.eofWaiters;
    this.eofWaiters = [];
    for (const w of ws) w();
  }
}
