/**
 * The receiving half of a channel (RFC 4254 §5.2): the window we advertised, our maximum
 * packet, the streams the consumer reads, and WINDOW_ADJUST once the consumer has taken data.
 *
 * Checks on every data message, each a ProtocolError that ends the connection: no data after
 * the peer's EOF, none larger than our maximum packet, none beyond the credit we gave.
 * Credit goes back in WINDOW_ADJUSTs of at least a quarter of the window, so a consumer that
 * keeps up leaves the peer between ¾ and all of the window in flight.
 */
import { ProtocolError } from '../errors.js';
import { EXTENDED_DATA_STDERR } from './messages.js';
import { ChannelReadable } from './streams.js';
import { Window } from './window.js';

export class Inbound {
  /** Credit we gave the peer; restored when WINDOW_ADJUST goes out. */
  readonly window: Window;
  readonly maxPacket: number;
  /** CHANNEL_DATA. */
  readonly data: ChannelReadable;
  /** CHANNEL_EXTENDED_DATA of type 1 (stderr); other types are credited and dropped. */
  readonly stderr: ChannelReadable;
  private readonly label: string;
  private readonly threshold: number;
  /** Delivered to the consumer, not yet returned to the peer. */
  private pending = 0;
  private eof = false;
  /** Sends WINDOW_ADJUST; returns false when the channel can no longer send it. */
  private readonly sendAdjust: (bytes: number) => boolean;

  constructor(
    label: string,
    window: number,
    maxPacket: number,
    sendAdjust: (bytes: number) => boolean,
  ) {
    this.label = label;
    this.window = new Window(window);
    this.maxPacket = maxPacket;
    this.threshold = Math.max(1, Math.floor(window / 4));
    this.sendAdjust = sendAdjust;
    const delivered = (n: number): void => this.delivered(n);
    this.data = new ChannelReadable(delivered);
    this.stderr = new ChannelReadable(delivered);
  }

  get eofReceived(): boolean {
    return this.eof;
  }

  receive(data: Uint8Array, extended: number | null): void {
    if (this.eof) throw new ProtocolError(`${this.label}: data after EOF`);
    if (data.length > this.maxPacket) {
      throw new ProtocolError(
        `${this.label}: ${data.length} bytes of data exceed the maximum packet of ${this.maxPacket}`,
      );
    }
    this.window.consume(data.length);
    if (extended === null) this.data.enqueue(data);
    else if (extended === EXTENDED_DATA_STDERR) this.stderr.enqueue(data);
    else this.delivered(data.length); // a type nobody reads: credit it, drop it
  }

  /** The peer's EOF (or CLOSE): the streams end once the consumer has taken what is queued. */
  end(): void {
    this.eof = true;
    this.data.finish();
    this.stderr.finish();
  }

  /** Waits for each stream that has a consumer to end (never-read ones do not hold). */
  finished(): Promise<void> {
    const waits = [this.data, this.stderr].map((s) => {
      if (s.closed || s.destroyed) return Promise.resolve();
      if (s.readableFlowing === null) return Promise.resolve(); // nobody ever consumed it
      return new Promise<void>((resolve) => s.once('close', () => resolve()));
    });
    return Promise.all(waits).then(() => {});
  }

  private delivered(n: number): void {
    this.pending += n;
    if (this.eof || this.pending < this.threshold) return;
    const bytes = this.pending;
    if (!this.sendAdjust(bytes)) return;
    this.pending = 0;
    this.window.add(bytes);
  }
}
