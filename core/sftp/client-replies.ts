/**
 * Server replies as the client reads them (draft-ietf-secsh-filexfer-02 §7): STATUS, HANDLE,
 * DATA, NAME, ATTRS and EXTENDED_REPLY bodies after the request id. Each request names the
 * reply it expects in a ReplySpec; the channel routes STATUS replies through the spec's `ok`
 * and `eof` answers and any other type through `decode`. Decoders read exactly one reply and
 * throw SftpProtocolError for anything malformed, which ends the session.
 */
import { ProtocolError } from '../errors.js';
import { joinParts, partsLength, type ByteParts } from '../wire/byte-parts.js';
import type { SshReader } from '../wire/reader.js';
import { readAttrs, type FileAttributes } from './attrs.js';
import { PacketType } from './constants.js';
import { SftpProtocolError } from './errors.js';

/** What a request accepts as its answer. */
export interface ReplySpec<T> {
  /** The packet type of a successful answer (STATUS for requests answered only by status). */
  readonly expect: number;
  /** Reads the body of an `expect` reply after the id. Unused when expect is STATUS. */
  readonly decode: (r: SshReader) => T;
  /**
   * Reads a reply that came as a head and its data as parts (DATA, see PacketDecoder's
   * dataAsParts): `r` holds the uint32 data length after the id. Without it, the channel
   * joins head and parts and calls `decode`.
   */
  readonly decodeParts?: (r: SshReader, rest: ByteParts) => T;
  /** The value of a STATUS OK, when OK is a success for this request. */
  readonly ok?: () => T;
  /** The value of a STATUS EOF, when EOF is an answer rather than an error (read, readdir). */
  readonly eof?: () => T;
}

export interface StatusReply {
  readonly code: number;
  readonly message: string;
}

/** One entry of a NAME reply. */
export interface NameEntry {
  readonly filename: string;
  readonly filenameBytes: Uint8Array;
  readonly longname: string;
  readonly attrs: FileAttributes;
}

/** The largest handle version 3 allows (§6.2: "MUST NOT be longer than 256 bytes"). */
export const MAX_HANDLE_LENGTH = 256;

/** Shortest NAME entry on the wire: two empty strings and an ATTRS with no flags. */
const MIN_NAME_ENTRY = 12;

/** UTF-8 text for display; bytes that are not UTF-8 become U+FFFD (the bytes are kept). */
export function lossyText(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
}

/**
 * STATUS: uint32 code, string message, string language tag. Servers before version 3 sent
 * only the code, so the two strings may be absent together.
 */
export function readStatus(r: SshReader): StatusReply {
  const code = r.readUint32();
  if (r.remaining === 0) return { code, message: '' };
  const message = lossyText(r.readString());
  r.readString(); // language tag
  r.expectEnd();
  return { code, message };
}

const handle = (r: SshReader): Uint8Array => {
  const h = r.readString();
  if (h.length > MAX_HANDLE_LENGTH) {
    throw new SftpProtocolError(`HANDLE of ${h.length} bytes exceeds ${MAX_HANDLE_LENGTH}`);
  }
  r.expectEnd();
  return h.slice();
};

/** DATA: string data, handed out as a view of the received packet (no copy). */
const data = (r: SshReader): Uint8Array => {
  const d = r.readString();
  r.expectEnd();
  return d;
};

/** DATA as head + parts: the length the head gives must be what the parts hold. */
const dataParts = (r: SshReader, rest: ByteParts): ByteParts => {
  const n = r.readUint32();
  r.expectEnd();
  const have = partsLength(rest);
  if (n > have) {
    throw new SftpProtocolError(`DATA truncated: ${n} bytes announced, the packet carries ${have}`);
  }
  if (n < have) throw new SftpProtocolError(`DATA: ${have - n} unexpected trailing bytes`);
  return rest;
};

/** NAME: uint32 count, then count × (string filename, string longname, ATTRS). */
export function readNames(r: SshReader): NameEntry[] {
  const count = r.readUint32();
  if (count > r.remaining / MIN_NAME_ENTRY) {
    throw new SftpProtocolError(`NAME claims ${count} entries in ${r.remaining} bytes`);
  }
  const out: NameEntry[] = [];
  for (let i = 0; i < count; i++) {
    const filenameBytes = r.readString().slice();
    const longname = lossyText(r.readString());
    const attrs = readAttrs(r);
    out.push({ filename: lossyText(filenameBytes), filenameBytes, longname, attrs });
  }
  r.expectEnd();
  return out;
}

/** A NAME reply that must hold exactly one entry (realpath, readlink, expand-path, …). */
function oneName(r: SshReader): NameEntry {
  const names = readNames(r);
  const first = names[0];
  if (names.length !== 1 || first === undefined) {
    throw new SftpProtocolError(`NAME with ${names.length} entries where one was expected`);
  }
  return first;
}

const attrs = (r: SshReader): FileAttributes => {
  const a = readAttrs(r);
  r.expectEnd();
  return a;
};

const unexpected = (): never => {
  throw new SftpProtocolError('reply decoded without a decoder');
};

export const statusOnly: ReplySpec<void> = {
  expect: PacketType.STATUS,
  decode: unexpected,
  ok: () => undefined,
};
export const handleReply: ReplySpec<Uint8Array> = { expect: PacketType.HANDLE, decode: handle };
/** DATA as one buffer (SftpClient.read): data that arrived in parts is joined here. */
export const dataReply: ReplySpec<Uint8Array | null> = {
  expect: PacketType.DATA,
  decode: data,
  decodeParts: (r, rest) => joinParts(dataParts(r, rest)),
  eof: () => null,
};
/** DATA as the views it arrived in (the bulk read path): never joined. */
export const dataPartsReply: ReplySpec<ByteParts | null> = {
  expect: PacketType.DATA,
  decode: (r) => [data(r)],
  decodeParts: dataParts,
  eof: () => null,
};
export const namesReply: ReplySpec<NameEntry[] | null> = {
  expect: PacketType.NAME,
  decode: readNames,
  eof: () => null,
};
export const oneNameReply: ReplySpec<NameEntry> = { expect: PacketType.NAME, decode: oneName };
export const attrsReply: ReplySpec<FileAttributes> = { expect: PacketType.ATTRS, decode: attrs };

/** EXTENDED_REPLY read by `decode`; the reader is checked for its end by the caller's decode. */
export function extendedReply<T>(decode: (r: SshReader) => T): ReplySpec<T> {
  return { expect: PacketType.EXTENDED_REPLY, decode };
}

/** Any other extension: the raw reply data, or null for STATUS OK. */
export const rawExtendedReply: ReplySpec<Uint8Array | null> = {
  expect: PacketType.EXTENDED_REPLY,
  decode: (r) => r.readRest(),
  ok: () => null,
};

/** A wire ProtocolError (truncated field, trailing bytes) as the SFTP error that ends a session. */
export function asSftpProtocolError(e: unknown, details: Record<string, unknown>): unknown {
  if (e instanceof ProtocolError) {
    return new SftpProtocolError(e.message, details, { cause: e });
  }
  return e;
}
