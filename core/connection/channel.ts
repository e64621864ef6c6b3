/**
 * One channel (RFC 4254 §5): its lifecycle, its requests (§5.4, replies in order), and the
 * EOF/CLOSE sequence. The receiving half (our window, inbound streams, WINDOW_ADJUST) is
 * inbound.ts, the sending half (the peer's window, writables, EOF) outbound.ts. The channel
 * table (channel-table.ts) routes messages here by recipient id.
 *
 * Lifecycle, as a small state union: 'opening' (we sent CHANNEL_OPEN) → 'open' → 'closing'
 * (we sent CLOSE, theirs has not come) → 'closed' (both CLOSEs done, or the connection ended).
 * - CLOSE is sent at most once. On the peer's CLOSE we answer with ours at once and the id is
 *   released: the channel is freed only when both CLOSEs are done (§5.3).
 * - Data already queued for the consumer is never dropped by a close: inbound streams end
 *   only after the consumer has taken every queued byte, and `closed` resolves after they end.
 * - EOF is sent when every outbound stream has ended; no data may follow it.
 * - After we sent CLOSE, the peer's messages for the channel are ignored until its CLOSE.
 * Peer misbehaviour on a channel (data beyond the window or larger than our maximum packet,
 * data after EOF, anything but a confirmation while opening, a reply to no request) is a
 * ProtocolError, which ends the connection.
 */
import { ChannelClosedError, ChannelOpenError, ProtocolError, type SshError } from '../errors.js';
import { partsLength, type ByteParts } from '../wire/byte-parts.js';
import { Msg } from '../wire/messages.js';
import {
  encodeChannelOnly,
  encodeChannelRequest,
  encodeDataHeader,
  encodeWindowAdjust,
  type OpenConfirmation,
  type OpenFailure,
} from './messages.js';
import { Outstanding, ReplyQueue, type Answer } from './replies.js';
import { Inbound } from './inbound.js';
import { Outbound } from './outbound.js';
import type { ChannelReadable, ChannelWritable } from './streams.js';
import type { Window } from './window.js';

/** What a channel needs from its connection. */
export interface ChannelHost {
  /** Sends a message, `payload ‖ tail`; a no-op once the transport is closed. */
  send(payload: Uint8Array, tail?: ByteParts): void;
  /** Both CLOSEs are done (or the open failed): the local id may be reused. */
  release(channel: Channel): void;
}

export interface ChannelRequestInfo {
  readonly type: string;
  readonly wantReply: boolean;
  /** The request-specific fields, unparsed. */
  readonly data: Uint8Array;
}

type State = 'opening' | 'open' | 'closing' | 'closed';

export class Channel {
  readonly type: string;
  readonly localId: number;
  /** Requests from the peer. The default refuses every one that wants a reply. */
  onRequest: (request: ChannelRequestInfo, answer: Answer) => void = (_r, answer) => answer(false);
  /** The peer sent EOF. */
  onEof: () => void = () => {};
  /** Resolves when the channel is finished: null after both CLOSEs, or the connection's error. */
  readonly ended: Promise<SshError | null>;
  /** Resolves after `ended` and after the inbound streams that have a consumer have ended. */
  readonly closed: Promise<void>;

  private readonly host: ChannelHost;
  private state: State;
  private remoteIdValue = 0;
  private readonly inbound: Inbound;
  private readonly outbound: Outbound;
  private closeWanted = false;
  private readonly outstanding = new Outstanding<boolean>('channel request');
  private readonly replies: ReplyQueue;
  private openWaiter: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private resolveEnded: (e: SshError | null) => void = () => {};

  constructor(
    host: ChannelHost,
    opts: { type: string; localId: number; window: number; maxPacket: number },
  ) {
    this.host = host;
    this.type = opts.type;
    this.localId = opts.localId;
    this.state = 'opening';
    this.outbound = new Outbound(`channel ${opts.localId}`, {
      isOpen: () => this.state === 'open',
      sendData: (data, extended) =>
        this.host.send(encodeDataHeader(this.remoteId, partsLength(data), extended), data),
      sendEof: () => this.host.send(encodeChannelOnly(Msg.CHANNEL_EOF, this.remoteId)),
    });
    this.inbound = new Inbound(`channel ${opts.localId}`, opts.window, opts.maxPacket, (n) => {
      if (this.state !== 'open') return false;
      this.host.send(encodeWindowAdjust(this.remoteId, n));
      return true;
    });
    this.replies = new ReplyQueue('channel request', (ok) => {
      if (this.state === 'open') {
        this.host.send(
          encodeChannelOnly(ok ? Msg.CHANNEL_SUCCESS : Msg.CHANNEL_FAILURE, this.remoteId),
        );
      }
    });
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    this.closed = this.ended.then(() => this.inbound.finished());
  }

  get remoteId(): number {
    return this.remoteIdValue;
  }
  get isOpen(): boolean {
    return this.state === 'open';
  }
  get eofFromPeer(): boolean {
    return this.inbound.eofReceived;
  }
  /** Inbound CHANNEL_DATA. */
  get incoming(): ChannelReadable {
    return this.inbound.data;
  }
  /** Inbound CHANNEL_EXTENDED_DATA of type 1 (stderr); other types are credited and dropped. */
  get incomingStderr(): ChannelReadable {
    return this.inbound.stderr;
  }
  /** Credit we gave the peer; restored by WINDOW_ADJUST once the consumer took the data. */
  get localWindow(): Window {
    return this.inbound.window;
  }
  get localMaxPacket(): number {
    return this.inbound.maxPacket;
  }
  /** Credit the peer gave us; data and extended data both draw on it. */
  get remoteWindow(): Window {
    return this.outbound.window;
  }
  /** Largest data chunk we send per packet. */
  get maxChunk(): number {
    return this.outbound.maxChunk;
  }

  // ---- our side ---------------------------------------------------------------------------

  /** Resolves once the peer confirms the open we sent; rejects with ChannelOpenError. */
  waitOpen(): Promise<void> {
    if (this.state !== 'opening') return Promise.resolve();
    return new Promise((resolve, reject) => (this.openWaiter = { resolve, reject }));
  }

  /** A writable for outbound data (extended: a data type code, 1 for stderr). */
  writable(extended?: number): ChannelWritable {
    return this.outbound.writable(extended);
  }

  /** Sends a request; resolves with the reply (true without asking for one). */
  request(type: string, data: Uint8Array, wantReply: boolean): Promise<boolean> {
    if (this.state !== 'open') {
      return Promise.reject(new ChannelClosedError(`channel ${this.localId} is not open`));
    }
    let reply: Promise<boolean> = Promise.resolve(true);
    try {
      if (wantReply) reply = this.outstanding.add();
    } catch (e) {
      return Promise.reject(e);
    }
    this.host.send(encodeChannelRequest(this.remoteId, type, wantReply, data));
    return reply;
  }

  /**
   * Ends every outbound stream; EOF goes out once their data has been sent. Resolves when it
   * has (or when the channel is gone and it never will be).
   */
  eof(): Promise<void> {
    return this.outbound.eof();
  }

  /** Sends CLOSE (once). Outbound data not yet sent is discarded. */
  close(): void {
    if (this.state === 'opening') {
      this.closeWanted = true;
      return;
    }
    if (this.state !== 'open') return;
    this.host.send(encodeChannelOnly(Msg.CHANNEL_CLOSE, this.remoteId));
    this.state = 'closing';
    this.outbound.stop();
    this.replies.drop();
  }

  // ---- the peer's side (called by the Connection) ------------------------------------------

  /** Incoming open accepted, or our open confirmed: the peer's id, window and packet size. */
  confirm(remoteId: number, window: number, maxPacket: number): void {
    if (maxPacket === 0) {
      throw new ProtocolError(`channel ${this.localId}: peer's maximum packet size is 0`);
    }
    this.remoteIdValue = remoteId;
    this.state = 'open';
    this.outbound.start(window, maxPacket);
  }

  handleOpenConfirmation(m: OpenConfirmation): void {
    if (this.state !== 'opening') {
      throw new ProtocolError(
        `CHANNEL_OPEN_CONFIRMATION for channel ${this.localId}, already open`,
      );
    }
    this.confirm(m.sender, m.window, m.maxPacket);
    this.openWaiter?.resolve();
    this.openWaiter = null;
    if (this.closeWanted) this.close();
  }

  handleOpenFailure(m: OpenFailure): void {
    if (this.state !== 'opening') {
      throw new ProtocolError(`CHANNEL_OPEN_FAILURE for channel ${this.localId}, already open`);
    }
    this.finish(new ChannelOpenError(this.type, m.reason, m.description));
  }

  handleWindowAdjust(bytes: number): void {
    if (this.settled('CHANNEL_WINDOW_ADJUST')) return;
    this.outbound.window.add(bytes);
  }

  handleData(data: Uint8Array, extended: number | null): void {
    if (this.settled('CHANNEL_DATA')) return;
    this.inbound.receive(data, extended);
  }

  handleEof(): void {
    if (this.settled('CHANNEL_EOF') || this.inbound.eofReceived) return;
    this.inbound.end();
    this.onEof();
  }

  handleClose(): void {
    if (this.state === 'opening') {
      throw new ProtocolError(`CHANNEL_CLOSE for channel ${this.localId} before it was confirmed`);
    }
    if (this.state === 'open') this.host.send(encodeChannelOnly(Msg.CHANNEL_CLOSE, this.remoteId));
    this.finish(null);
  }

  handleRequest(r: ChannelRequestInfo): void {
    if (this.settled('CHANNEL_REQUEST')) return;
    const answer: Answer = r.wantReply ? this.replies.take() : () => {};
    try {
      this.onRequest(r, answer);
    } catch (e) {
      if (e instanceof ProtocolError) throw e; // a malformed request: the peer's fault
      answer(false); // a failing handler refuses the request; it does not end the connection
    }
  }

  handleReply(ok: boolean): void {
    if (this.state === 'opening') {
      throw new ProtocolError(`channel ${this.localId}: request reply before the open completed`);
    }
    this.outstanding.settle(ok);
  }

  /** The connection ended under the channel. */
  abort(error: SshError): void {
    if (this.state !== 'closed') this.finish(error);
  }

  // ---- internals ----------------------------------------------------------------------------

  /** True when the message is to be ignored (we already sent CLOSE); throws while opening. */
  private settled(what: string): boolean {
    if (this.state === 'opening') {
      throw new ProtocolError(`${what} for channel ${this.localId} before it was confirmed`);
    }
    return this.state !== 'open';
  }

  private finish(error: SshError | null): void {
    const wasOpening = this.state === 'opening';
    this.state = 'closed';
    this.replies.drop();
    const why = error ?? new ChannelClosedError(`channel ${this.localId} closed`);
    this.outstanding.failAll(why);
    if (wasOpening) {
      this.openWaiter?.reject(why);
      this.openWaiter = null;
    }
    this.inbound.end();
    this.outbound.destroy();
    this.host.release(this);
    this.resolveEnded(error);
  }
}
