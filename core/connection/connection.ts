/**
 * The SSH connection protocol (RFC 4254) over an authenticated Transport, in either role
 * (channels are symmetric; the bundled sshd uses 'server'): channel opens in both directions,
 * global requests (§4), and keepalive. The table of channels is channel-table.ts; the
 * message dispatch is dispatch.ts.
 *
 * Construct it once user authentication has succeeded (a server must not run channels for an
 * unauthenticated client). It takes transport.onMessage for message types 80–127 and hands
 * every other type (50–79 user auth, 128+ local extensions) to the handler installed before
 * it. Messages that arrived before it existed (the auth layer's `pending`) are given with
 * the `pending` option and handled first. Unknown types inside 80–127 get UNIMPLEMENTED.
 *
 * A ProtocolError thrown while handling a message propagates to the transport, which sends
 * DISCONNECT with the reason and closes; when the transport closes, every channel ends.
 */
import { ConnectionLost, KeepaliveTimeout, SshError } from '../errors.js';
import type { Transport } from '../transport/transport.js';
import type { ByteParts } from '../wire/byte-parts.js';
import { Msg } from '../wire/messages.js';
import { SshWriter } from '../wire/writer.js';
import type { Channel } from './channel.js';
import {
  ChannelTable,
  resolveParams,
  type ChannelOpenAnswer,
  type ChannelParams,
} from './channel-table.js';
import { dispatchMessage, isConnectionMessage, type MessageHandler } from './dispatch.js';
import { Keepalive } from './keepalive.js';
import {
  encodeChannelOpen,
  encodeGlobalReply,
  encodeGlobalRequest,
  OpenFailureReason,
  type ChannelOpen,
  type GlobalRequest,
} from './messages.js';
import { Outstanding, ReplyQueue, type Answer } from './replies.js';
import { ServerSession } from './server-session.js';
import { Session } from './session.js';
import { DEFAULT_MAX_PACKET, DEFAULT_WINDOW } from './window.js';

export type { ChannelOpenAnswer, ChannelParams } from './channel-table.js';

export interface ConnectionOptions {
  readonly role: 'client' | 'server';
  /** Window we advertise per channel. Default 2 MiB. */
  readonly windowSize?: number;
  /** Largest data payload we accept per packet. Default 32 KiB. */
  readonly maxPacket?: number;
  /** Channels open or being opened at once, both directions together. Default 1024. */
  readonly maxChannels?: number;
  /** Connection-layer messages that arrived before this object existed (AuthResult.pending). */
  readonly pending?: readonly Uint8Array[];
}

export type GlobalReply = { readonly ok: true; readonly data: Uint8Array } | { readonly ok: false };

const empty = new Uint8Array(0);

export class Connection {
  readonly transport: Transport;
  readonly role: 'client' | 'server';
  /** Incoming opens other than sessions. The default refuses them. */
  onChannelOpen: (type: string, extraData: Uint8Array, answer: ChannelOpenAnswer) => void = (
    _type,
    _extra,
    answer,
  ) => answer.reject(OpenFailureReason.ADMINISTRATIVELY_PROHIBITED, 'open refused');
  /** Server role: incoming 'session' opens become ServerSessions here. Unset: refused. */
  onSession: ((session: ServerSession) => void) | null = null;
  /**
   * The peer's global requests other than keepalive@openssh.com (always refused) and
   * hostkeys-00@openssh.com (ignored). The default refuses; answer may be called later.
   */
  onGlobalRequest: (name: string, data: Uint8Array, answer: Answer) => void = (_n, _d, answer) =>
    answer(false);
  /** Resolves when the transport has closed (null: a clean local disconnect). */
  readonly closed: Promise<SshError | null>;

  private readonly table: ChannelTable;
  private readonly globalOutstanding = new Outstanding<GlobalReply>('global request');
  private readonly globalReplies: ReplyQueue;
  private keepalive: Keepalive | null = null;
  private endedWith: SshError | null = null;
  private early: readonly Uint8Array[] | null;

  constructor(transport: Transport, opts: ConnectionOptions) {
    this.transport = transport;
    this.role = opts.role;
    const defaults = resolveParams(
      {
        window: opts.windowSize ?? DEFAULT_WINDOW,
        maxPacket: opts.maxPacket ?? DEFAULT_MAX_PACKET,
      },
      { window: DEFAULT_WINDOW, maxPacket: DEFAULT_MAX_PACKET },
    );
    this.table = new ChannelTable((p, t) => this.send(p, t), defaults, opts.maxChannels ?? 1024);
    this.globalReplies = new ReplyQueue('global request', (ok, data) =>
      this.send(encodeGlobalReply(ok, data)),
    );
    const previous = transport.onMessage;
    transport.onMessage = (payload, seq) => {
      this.flushEarly();
      if (!isConnectionMessage(payload[0] ?? 0)) return previous(payload, seq);
      this.handle(payload, seq);
    };
    // Early messages wait a microtask, so the caller can install its handlers first.
    this.early = opts.pending && opts.pending.length > 0 ? opts.pending : null;
    if (this.early) queueMicrotask(() => this.flushEarly());
    this.closed = transport.closed;
    transport.closed.then((e) => this.shutdown(e));
  }

  /** Channels in the table (open, opening or closing). */
  get channelCount(): number {
    return this.table.size;
  }

  /** Opens a channel of any type (§5.1); rejects with ChannelOpenError on refusal. */
  async openChannel(
    type: string,
    extra: Uint8Array = empty,
    params: ChannelParams = {},
  ): Promise<Channel> {
    if (this.endedWith || this.transport.isClosed) throw this.gone();
    const ch = this.table.createOutgoing(type, params);
    const opened = ch.waitOpen();
    this.send(encodeChannelOpen(type, ch.localId, ch.localWindow.size, ch.localMaxPacket, extra));
    await opened;
    return ch;
  }

  /** Opens a session channel (§6.1). */
  async openSession(params: ChannelParams = {}): Promise<Session> {
    return new Session(await this.openChannel('session', empty, params));
  }

  /**
   * Sends a global request (§4). With wantReply the promise settles with the peer's answer,
   * replies being matched to requests in order; without, it resolves null once sent.
   */
  globalRequest(
    name: string,
    data: Uint8Array = empty,
    wantReply = true,
  ): Promise<GlobalReply | null> {
    if (this.endedWith || this.transport.isClosed) return Promise.reject(this.gone());
    let reply: Promise<GlobalReply | null> = Promise.resolve(null);
    try {
      if (wantReply) reply = this.globalOutstanding.add();
    } catch (e) {
      return Promise.reject(e);
    }
    this.send(encodeGlobalRequest(name, wantReply, data));
    return reply;
  }

  /**
   * Probes the peer with keepalive@openssh.com after every `intervalMs` of silence and ends
   * the connection with KeepaliveTimeout when it stays silent (timing: keepalive.ts).
   * `peer` names it in the message as ssh does: "Timeout, server <peer> not responding".
   */
  startKeepalive(intervalMs: number, countMax: number, peer?: string): void {
    this.stopKeepalive();
    if (this.endedWith || this.transport.isClosed) return;
    const who = `${this.role === 'client' ? 'server' : 'client'}${peer ? ` ${peer}` : ''}`;
    this.keepalive = new Keepalive({
      intervalMs,
      countMax,
      probe: () => void this.globalRequest('keepalive@openssh.com').catch(() => {}),
      onTimeout: () =>
        this.transport.abort(
          new KeepaliveTimeout(`Timeout, ${who} not responding`, { intervalMs, countMax }),
        ),
    });
  }

  stopKeepalive(): void {
    this.keepalive?.stop();
    this.keepalive = null;
  }

  /** Ends the connection (DISCONNECT, reason "by application"). */
  disconnect(description = ''): void {
    this.transport.disconnect(undefined, description);
  }

  // ---- incoming messages ----------------------------------------------------------------------

  /** Channel messages go to the channel their recipient id names; unknown ids are errors. */
  private readonly handler: MessageHandler = {
    globalRequest: (m) => this.incomingGlobalRequest(m),
    globalReply: (ok, data) =>
      this.globalOutstanding.settle(ok ? { ok: true, data: data.slice() } : { ok: false }),
    channelOpen: (m) => this.incomingOpen(m),
    openConfirmation: (m) => this.table.lookup(m.recipient).handleOpenConfirmation(m),
    openFailure: (m) => this.table.lookup(m.recipient).handleOpenFailure(m),
    windowAdjust: (id, bytes) => this.table.lookup(id).handleWindowAdjust(bytes),
    data: (id, data, extended) => this.table.lookup(id).handleData(data, extended),
    eof: (id) => this.table.lookup(id).handleEof(),
    close: (id) => this.table.lookup(id).handleClose(),
    channelRequest: (m) => this.table.lookup(m.recipient).handleRequest(m),
    channelReply: (id, ok) => this.table.lookup(id).handleReply(ok),
  };

  private handle(payload: Uint8Array, seq: number | null): void {
    this.keepalive?.received();
    if (dispatchMessage(payload, this.handler) || seq === null) return;
    this.send(new SshWriter(5).writeByte(Msg.UNIMPLEMENTED).writeUint32(seq).toBytes());
  }

  private flushEarly(): void {
    const early = this.early;
    if (!early) return;
    this.early = null;
    try {
      for (const p of early) if (isConnectionMessage(p[0] ?? 0)) this.handle(p, null);
    } catch (e) {
      this.transport.abort(e instanceof SshError ? e : new SshError(String(e)));
    }
  }

  private incomingGlobalRequest(m: GlobalRequest): void {
    if (m.name === 'hostkeys-00@openssh.com' && !m.wantReply) return; // OpenSSH PROTOCOL §2.5
    const answer: Answer = m.wantReply ? this.globalReplies.take() : () => {};
    if (m.name === 'keepalive@openssh.com') return answer(false);
    try {
      this.onGlobalRequest(m.name, m.data, answer);
    } catch {
      answer(false);
    }
  }

  private incomingOpen(m: ChannelOpen): void {
    const answer = this.table.incoming(m);
    if (!answer) return;
    const handler = this.onSession;
    if (m.type === 'session') {
      // RFC 4254 §6.1: a client refuses session opens; a server needs an onSession handler.
      if (this.role !== 'server' || !handler || m.extra.length !== 0) {
        return answer.reject(OpenFailureReason.ADMINISTRATIVELY_PROHIBITED, 'session refused');
      }
      const session = new ServerSession(answer.accept());
      try {
        handler(session);
      } catch {
        session.close();
      }
      return;
    }
    try {
      this.onChannelOpen(m.type, m.extra, answer);
    } catch {
      answer.reject(OpenFailureReason.CONNECT_FAILED, 'open failed');
    }
  }

  // ---- internals ------------------------------------------------------------------------------

  private send(payload: Uint8Array, tail?: ByteParts): void {
    if (this.transport.isClosed) return;
    try {
      this.transport.send(payload, tail);
    } catch {
      // the transport failed (its KEX queue overflowed) and closed itself: shutdown follows
    }
  }

  private gone(): SshError {
    return this.endedWith ?? new ConnectionLost('the connection is closed');
  }

  private shutdown(error: SshError | null): void {
    const why = error ?? new ConnectionLost('the connection was closed');
    this.endedWith = why;
    this.stopKeepalive();
    this.globalOutstanding.failAll(why);
    this.globalReplies.drop();
    this.table.abortAll(why);
  }
}
