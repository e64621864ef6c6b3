/**
 * The channel table (RFC 4254 §5.1): local id allocation, lookup by recipient id, and the
 * accept / reject handle for an incoming CHANNEL_OPEN.
 *
 * Ids are allocated round-robin over uint32 and skip ids in use, so a just-freed id is not
 * handed out again while a late message for it could still be in flight. An id is in use
 * from the open (ours sent, or the peer's received) until both CLOSEs are done; ids given to
 * incoming opens the application has not answered yet count too, so `maxChannels` bounds
 * both the table and the opens waiting for an answer.
 */
import { ConfigError, ProtocolError, SshError } from '../errors.js';
import { MAX_PACKET_LENGTH } from '../transport/packet-codec.js';
import { Channel, type ChannelHost } from './channel.js';
import {
  encodeOpenConfirmation,
  encodeOpenFailure,
  OpenFailureReason,
  type ChannelOpen,
} from './messages.js';
import { MAX_WINDOW } from './window.js';
import type { ByteParts } from '../wire/byte-parts.js';

export interface ChannelParams {
  /** Window we advertise for this channel. */
  readonly window?: number;
  /** Largest data payload we accept per packet on this channel. */
  readonly maxPacket?: number;
}

/** How the application answers an incoming CHANNEL_OPEN. The first call counts. */
export interface ChannelOpenAnswer {
  accept(params?: ChannelParams): Channel;
  reject(reason?: number, description?: string): void;
}

/** Room in a packet for the CHANNEL_EXTENDED_DATA header and padding around the data. */
const PACKET_OVERHEAD = 64;

/** Checks window and packet size we are about to advertise; returns them with defaults. */
export function resolveParams(
  p: ChannelParams,
  defaults: Required<ChannelParams>,
): Required<ChannelParams> {
  const window = p.window ?? defaults.window;
  const maxPacket = p.maxPacket ?? defaults.maxPacket;
  if (!Number.isInteger(window) || window < 1 || window > MAX_WINDOW) {
    throw new ConfigError(`channel window ${window} is not between 1 and 2^32-1`);
  }
  if (
    !Number.isInteger(maxPacket) ||
    maxPacket < 1 ||
    maxPacket > MAX_PACKET_LENGTH - PACKET_OVERHEAD
  ) {
    throw new ConfigError(`channel maximum packet ${maxPacket} is out of range`);
  }
  return { window, maxPacket };
}

export class ChannelTable {
  private readonly channels = new Map<number, Channel>();
  /** Ids handed to incoming opens the application has not answered yet. */
  private readonly reserved = new Set<number>();
  private nextId = 0;
  private readonly send: (payload: Uint8Array, tail?: ByteParts) => void;
  private readonly defaults: Required<ChannelParams>;
  private readonly maxChannels: number;
  /** The error that ended the connection, once it has ended. */
  private endedWith: SshError | null = null;
  readonly host: ChannelHost;

  constructor(
    send: (payload: Uint8Array, tail?: ByteParts) => void,
    defaults: Required<ChannelParams>,
    maxChannels: number,
  ) {
    this.send = send;
    this.defaults = defaults;
    this.maxChannels = maxChannels;
    this.host = {
      send,
      release: (ch) => {
        if (this.channels.get(ch.localId) === ch) this.channels.delete(ch.localId);
      },
    };
  }

  get size(): number {
    return this.channels.size;
  }

  lookup(id: number): Channel {
    const ch = this.channels.get(id);
    if (!ch) throw new ProtocolError(`message for unknown channel ${id}`, { channel: id });
    return ch;
  }

  /** A new channel in the 'opening' state for an open we are about to send. */
  createOutgoing(type: string, params: ChannelParams): Channel {
    const { window, maxPacket } = resolveParams(params, this.defaults);
    const id = this.allocate();
    if (id === null) throw new SshError(`too many channels (${this.maxChannels})`);
    const ch = new Channel(this.host, { type, localId: id, window, maxPacket });
    this.channels.set(id, ch);
    return ch;
  }

  /**
   * The answer handle for the peer's CHANNEL_OPEN, or null when the table is full (the open
   * has then been refused with RESOURCE_SHORTAGE).
   */
  incoming(m: ChannelOpen): ChannelOpenAnswer | null {
    if (m.maxPacket === 0) {
      throw new ProtocolError(`CHANNEL_OPEN (${m.type}) with a maximum packet of 0`);
    }
    const id = this.allocate();
    if (id === null) {
      const shortage = OpenFailureReason.RESOURCE_SHORTAGE;
      this.send(encodeOpenFailure(m.sender, shortage, 'too many channels'));
      return null;
    }
    this.reserved.add(id);
    let answered = false;
    return {
      accept: (params = {}) => {
        if (answered) throw new SshError(`channel open ${id} was already answered`);
        const { window, maxPacket } = resolveParams(params, this.defaults);
        answered = true;
        this.reserved.delete(id);
        const ch = new Channel(this.host, { type: m.type, localId: id, window, maxPacket });
        ch.confirm(m.sender, m.window, m.maxPacket);
        if (this.endedWith) {
          ch.abort(this.endedWith);
          return ch;
        }
        this.channels.set(id, ch);
        this.send(encodeOpenConfirmation(m.sender, id, window, maxPacket));
        return ch;
      },
      reject: (reason = OpenFailureReason.ADMINISTRATIVELY_PROHIBITED, description = 'refused') => {
        if (answered) return;
        answered = true;
        this.reserved.delete(id);
        if (!this.endedWith) this.send(encodeOpenFailure(m.sender, reason, description));
      },
    };
  }

  /** The connection ended: every channel ends with `error`. */
  abortAll(error: SshError): void {
    this.endedWith = error;
    for (const ch of [...this.channels.values()]) ch.abort(error);
    this.channels.clear();
    this.reserved.clear();
  }

  private allocate(): number | null {
    if (this.channels.size + this.reserved.size >= this.maxChannels) return null;
    for (;;) {
      const id = this.nextId;
      this.nextId = (this.nextId + 1) >>> 0;
      if (!this.channels.has(id) && !this.reserved.has(id)) return id;
    }
  }
}
