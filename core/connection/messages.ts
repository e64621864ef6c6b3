/**
 * Connection-protocol messages (RFC 4254 §4, §5): encoders for what we send and decoders for
 * what the peer sends. Type-specific trailing fields (channel-open extras, request data) stay
 * opaque bytes here; the layer that knows the type parses them (session-requests.ts).
 * Data and strings returned by the decoders are views into the payload, which the transport
 * allocates per packet and never reuses.
 */
import { Msg } from '../wire/messages.js';
import { SshReader } from '../wire/reader.js';
import { SshWriter } from '../wire/writer.js';

/** RFC 4254 §5.1 SSH_MSG_CHANNEL_OPEN_FAILURE reason codes. */
export const OpenFailureReason = {
  ADMINISTRATIVELY_PROHIBITED: 1,
  CONNECT_FAILED: 2,
  UNKNOWN_CHANNEL_TYPE: 3,
  RESOURCE_SHORTAGE: 4,
} as const;

/** RFC 4254 §5.2: SSH_EXTENDED_DATA_STDERR. */
export const EXTENDED_DATA_STDERR = 1;

const empty = new Uint8Array(0);

// ---- encoders -------------------------------------------------------------------------------

/** byte GLOBAL_REQUEST ‖ string name ‖ boolean want reply ‖ request-specific data (§4) */
export function encodeGlobalRequest(
  name: string,
  wantReply: boolean,
  data: Uint8Array,
): Uint8Array {
  return new SshWriter()
    .writeByte(Msg.GLOBAL_REQUEST)
    .writeString(name)
    .writeBoolean(wantReply)
    .writeBytes(data)
    .toBytes();
}

/** byte REQUEST_SUCCESS ‖ response-specific data, or byte REQUEST_FAILURE (§4) */
export function encodeGlobalReply(ok: boolean, data: Uint8Array = empty): Uint8Array {
  if (!ok) return Uint8Array.of(Msg.REQUEST_FAILURE);
  return new SshWriter(1 + data.length).writeByte(Msg.REQUEST_SUCCESS).writeBytes(data).toBytes();
}

/** byte CHANNEL_OPEN ‖ string type ‖ uint32 sender ‖ uint32 window ‖ uint32 max packet ‖ extra (§5.1) */
export function encodeChannelOpen(
  type: string,
  sender: number,
  window: number,
  maxPacket: number,
  extra: Uint8Array,
): Uint8Array {
  return new SshWriter()
    .writeByte(Msg.CHANNEL_OPEN)
    .writeString(type)
    .writeUint32(sender)
    .writeUint32(window)
    .writeUint32(maxPacket)
    .writeBytes(extra)
    .toBytes();
}

/** byte OPEN_CONFIRMATION ‖ uint32 recipient ‖ uint32 sender ‖ uint32 window ‖ uint32 max packet ‖ extra */
export function encodeOpenConfirmation(
  recipient: number,
  sender: number,
  window: number,
  maxPacket: number,
  extra: Uint8Array = empty,
): Uint8Array {
  return new SshWriter()
    .writeByte(Msg.CHANNEL_OPEN_CONFIRMATION)
    .writeUint32(recipient)
    .writeUint32(sender)
    .writeUint32(window)
    .writeUint32(maxPacket)
    .writeBytes(extra)
    .toBytes();
}

/** byte OPEN_FAILURE ‖ uint32 recipient ‖ uint32 reason ‖ string description ‖ string language */
export function encodeOpenFailure(
  recipient: number,
  reason: number,
  description: string,
): Uint8Array {
  return new SshWriter()
    .writeByte(Msg.CHANNEL_OPEN_FAILURE)
    .writeUint32(recipient)
    .writeUint32(reason)
    .writeString(description)
    .writeString('')
    .toBytes();
}

/** byte WINDOW_ADJUST ‖ uint32 recipient ‖ uint32 bytes to add (§5.2) */
export function encodeWindowAdjust(recipient: number, n: number): Uint8Array {
  return new SshWriter(9)
    .writeByte(Msg.CHANNEL_WINDOW_ADJUST)
    .writeUint32(recipient)
    .writeUint32(n)
    .toBytes();
}

/**
 * byte CHANNEL_DATA ‖ uint32 recipient ‖ string data, or byte CHANNEL_EXTENDED_DATA ‖ uint32
 * recipient ‖ uint32 data type code ‖ string data (§5.2). Built in one allocation: this is the
 * bulk path.
 */
export function encodeData(recipient: number, data: Uint8Array, extended?: number): Uint8Array {
  const head = encodeDataHeader(recipient, data.length, extended);
  const out = new Uint8Array(head.length + data.length);
  out.set(head, 0);
  out.set(data, head.length);
  return out;
}

/** The fields of CHANNEL_DATA / CHANNEL_EXTENDED_DATA before the data itself. */
export function encodeDataHeader(recipient: number, length: number, extended?: number): Uint8Array {
  const head = extended === undefined ? 9 : 13;
  const out = new Uint8Array(head);
  const v = new DataView(out.buffer);
  v.setUint8(0, extended === undefined ? Msg.CHANNEL_DATA : Msg.CHANNEL_EXTENDED_DATA);
  v.setUint32(1, recipient, false);
  if (extended !== undefined) v.setUint32(5, extended, false);
  v.setUint32(head - 4, length, false);
  return out;
}

/** byte CHANNEL_EOF / CHANNEL_CLOSE / CHANNEL_SUCCESS / CHANNEL_FAILURE ‖ uint32 recipient */
export function encodeChannelOnly(type: number, recipient: number): Uint8Array {
  return new SshWriter(5).writeByte(type).writeUint32(recipient).toBytes();
}

/** byte CHANNEL_REQUEST ‖ uint32 recipient ‖ string type ‖ boolean want reply ‖ data (§5.4) */
export function encodeChannelRequest(
  recipient: number,
  type: string,
  wantReply: boolean,
  data: Uint8Array,
): Uint8Array {
  return new SshWriter()
    .writeByte(Msg.CHANNEL_REQUEST)
    .writeUint32(recipient)
    .writeString(type)
    .writeBoolean(wantReply)
    .writeBytes(data)
    .toBytes();
}

// ---- decoders -------------------------------------------------------------------------------

export interface GlobalRequest {
  readonly name: string;
  readonly wantReply: boolean;
  readonly data: Uint8Array;
}

export interface ChannelOpen {
  readonly type: string;
  readonly sender: number;
  readonly window: number;
  readonly maxPacket: number;
  readonly extra: Uint8Array;
}

export interface OpenConfirmation {
  readonly recipient: number;
  readonly sender: number;
  readonly window: number;
  readonly maxPacket: number;
  readonly extra: Uint8Array;
}

export interface OpenFailure {
  readonly recipient: number;
  readonly reason: number;
  readonly description: string;
}

export interface ChannelRequest {
  readonly recipient: number;
  readonly type: string;
  readonly wantReply: boolean;
  readonly data: Uint8Array;
}

/** A reader positioned after the message type byte. */
export function bodyReader(payload: Uint8Array, what: string): SshReader {
  const r = new SshReader(payload, what);
  r.readByte();
  return r;
}

export function decodeGlobalRequest(r: SshReader): GlobalRequest {
  const name = r.readAscii();
  const wantReply = r.readBoolean();
  return { name, wantReply, data: r.readRest() };
}

export function decodeChannelOpen(r: SshReader): ChannelOpen {
  const type = r.readAscii();
  const sender = r.readUint32();
  const window = r.readUint32();
  const maxPacket = r.readUint32();
  return { type, sender, window, maxPacket, extra: r.readRest() };
}

export function decodeOpenConfirmation(r: SshReader): OpenConfirmation {
  const recipient = r.readUint32();
  const sender = r.readUint32();
  const window = r.readUint32();
  const maxPacket = r.readUint32();
  return { recipient, sender, window, maxPacket, extra: r.readRest() };
}

export function decodeOpenFailure(r: SshReader): OpenFailure {
  const recipient = r.readUint32();
  const reason = r.readUint32();
  // Description and language tag: some peers omit them; a bad description is not worth a
  // disconnect, the failure itself is what matters.
  let description = '';
  if (r.remaining > 0) {
    try {
      description = r.readUtf8();
    } catch {
      description = '(unreadable description)';
    }
  }
  return { recipient, reason, description };
}

export function decodeChannelRequest(r: SshReader): ChannelRequest {
  const recipient = r.readUint32();
  const type = r.readAscii();
  const wantReply = r.readBoolean();
  return { recipient, type, wantReply, data: r.readRest() };
}
