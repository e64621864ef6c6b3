/**
 * The connection protocol's dispatch table (RFC 4254; message numbers from RFC 4250 §4.1.2):
 * message type → decode → one method of a `MessageHandler`. Kept apart from the Connection so
 * that adding a message is one row here and one method there.
 *
 * Every decoder reads through SshReader and ends with expectEnd() where the message has no
 * trailing type-specific part, so a truncated or padded message is a ProtocolError.
 */
import { Msg } from '../wire/messages.js';
import type { SshReader } from '../wire/reader.js';
import {
  bodyReader,
  decodeChannelOpen,
  decodeChannelRequest,
  decodeGlobalRequest,
  decodeOpenConfirmation,
  decodeOpenFailure,
  type ChannelOpen,
  type ChannelRequest,
  type GlobalRequest,
  type OpenConfirmation,
  type OpenFailure,
} from './messages.js';

/** What the Connection does with each decoded message. */
export interface MessageHandler {
  globalRequest(m: GlobalRequest): void;
  /** REQUEST_SUCCESS (with its response data) or REQUEST_FAILURE. */
  globalReply(ok: boolean, data: Uint8Array): void;
  channelOpen(m: ChannelOpen): void;
  openConfirmation(m: OpenConfirmation): void;
  openFailure(m: OpenFailure): void;
  windowAdjust(recipient: number, bytes: number): void;
  /** CHANNEL_DATA (extended null) or CHANNEL_EXTENDED_DATA with its data type code. */
  data(recipient: number, data: Uint8Array, extended: number | null): void;
  eof(recipient: number): void;
  close(recipient: number): void;
  channelRequest(m: ChannelRequest): void;
  /** CHANNEL_SUCCESS or CHANNEL_FAILURE. */
  channelReply(recipient: number, ok: boolean): void;
}

type Row = (r: SshReader, h: MessageHandler) => void;

function recipientOnly(call: (h: MessageHandler, recipient: number) => void): Row {
  return (r, h) => {
    const recipient = r.readUint32();
    r.expectEnd();
    call(h, recipient);
  };
}

const table = new Map<number, { name: string; row: Row }>([
  [
    Msg.GLOBAL_REQUEST,
    { name: 'GLOBAL_REQUEST', row: (r, h) => h.globalRequest(decodeGlobalRequest(r)) },
  ],
  [
    Msg.REQUEST_SUCCESS,
    { name: 'REQUEST_SUCCESS', row: (r, h) => h.globalReply(true, r.readRest()) },
  ],
  [
    Msg.REQUEST_FAILURE,
    {
      name: 'REQUEST_FAILURE',
      row: (r, h) => {
        r.expectEnd();
        h.globalReply(false, new Uint8Array(0));
      },
    },
  ],
  [Msg.CHANNEL_OPEN, { name: 'CHANNEL_OPEN', row: (r, h) => h.channelOpen(decodeChannelOpen(r)) }],
  [
    Msg.CHANNEL_OPEN_CONFIRMATION,
    {
      name: 'CHANNEL_OPEN_CONFIRMATION',
      row: (r, h) => h.openConfirmation(decodeOpenConfirmation(r)),
    },
  ],
  [
    Msg.CHANNEL_OPEN_FAILURE,
    { name: 'CHANNEL_OPEN_FAILURE', row: (r, h) => h.openFailure(decodeOpenFailure(r)) },
  ],
  [
    Msg.CHANNEL_WINDOW_ADJUST,
    {
      name: 'CHANNEL_WINDOW_ADJUST',
      row: (r, h) => {
        const recipient = r.readUint32();
        const bytes = r.readUint32();
        r.expectEnd();
        h.windowAdjust(recipient, bytes);
      },
    },
  ],
  [
    Msg.CHANNEL_DATA,
    {
      name: 'CHANNEL_DATA',
      row: (r, h) => {
        const recipient = r.readUint32();
        const data = r.readString();
        r.expectEnd();
        h.data(recipient, data, null);
      },
    },
  ],
  [
    Msg.CHANNEL_EXTENDED_DATA,
    {
      name: 'CHANNEL_EXTENDED_DATA',
      row: (r, h) => {
        const recipient = r.readUint32();
        const code = r.readUint32();
        const data = r.readString();
        r.expectEnd();
        h.data(recipient, data, code);
      },
    },
  ],
  [Msg.CHANNEL_EOF, { name: 'CHANNEL_EOF', row: recipientOnly((h, id) => h.eof(id)) }],
  [Msg.CHANNEL_CLOSE, { name: 'CHANNEL_CLOSE', row: recipientOnly((h, id) => h.close(id)) }],
  [
    Msg.CHANNEL_REQUEST,
    { name: 'CHANNEL_REQUEST', row: (r, h) => h.channelRequest(decodeChannelRequest(r)) },
  ],
  [
    Msg.CHANNEL_SUCCESS,
    { name: 'CHANNEL_SUCCESS', row: recipientOnly((h, id) => h.channelReply(id, true)) },
  ],
  [
    Msg.CHANNEL_FAILURE,
    { name: 'CHANNEL_FAILURE', row: recipientOnly((h, id) => h.channelReply(id, false)) },
  ],
]);

/** Message types this layer owns (RFC 4250 §4.1.2: 80–127 are the connection protocol). */
export function isConnectionMessage(type: number): boolean {
  return type >= 80 && type <= 127;
}

/**
 * Decodes one connection-protocol payload and hands it to h. Returns false for a type in
 * 80–127 that no row handles (the caller answers UNIMPLEMENTED). Throws ProtocolError on a
 * malformed message.
 */
export function dispatchMessage(payload: Uint8Array, h: MessageHandler): boolean {
  const entry = table.get(payload[0] ?? 0);
  if (!entry) return false;
  entry.row(bodyReader(payload, entry.name), h);
  return true;
}
