/**
 * User-authentication messages, server side (RFC 4252 §5–8, RFC 4256 §3): encoders for the
 * server's answers (FAILURE, SUCCESS, BANNER, PK_OK, INFO_REQUEST) and decoders for the
 * client's USERAUTH_REQUEST and INFO_RESPONSE. The client's side is messages.ts.
 *
 * Decoders read every field the method defines and then require the end of the message:
 * trailing bytes are a ProtocolError (the connection ends), as in OpenSSH. Byte fields are
 * views into the payload; size limits on them are the caller's (server-publickey.ts).
 */
import { ProtocolError } from '../errors.js';
import { decodeUtf8 } from '../wire/bytes.js';
import { Msg } from '../wire/messages.js';
import { SshReader } from '../wire/reader.js';
import { SshWriter } from '../wire/writer.js';
import { IllegalUserName } from './errors.js';

/** Longest user name accepted, in bytes; longer ones end the connection (ILLEGAL_USER_NAME). */
export const MAX_USER_BYTES = 1024;
/** Most prompts in one INFO_REQUEST (the client's decoder refuses more). */
export const MAX_KBD_PROMPTS = 64;

/** byte FAILURE ‖ name-list authentications that can continue ‖ boolean partial success */
export function encodeFailure(methods: readonly string[], partialSuccess: boolean): Uint8Array {
  return new SshWriter()
    .writeByte(Msg.USERAUTH_FAILURE)
    .writeNameList(methods)
    .writeBoolean(partialSuccess)
    .toBytes();
}

/** byte SUCCESS */
export function encodeSuccess(): Uint8Array {
  return Uint8Array.of(Msg.USERAUTH_SUCCESS);
}

/** byte BANNER ‖ string message (UTF-8) ‖ string language tag (§5.4) */
export function encodeBanner(text: string, language = ''): Uint8Array {
  return new SshWriter()
    .writeByte(Msg.USERAUTH_BANNER)
    .writeString(text)
    .writeString(language)
    .toBytes();
}

/** byte PK_OK ‖ string algorithm ‖ string key blob, echoing the query (§7) */
export function encodePkOk(algorithm: string, blob: Uint8Array): Uint8Array {
  return new SshWriter()
    .writeByte(Msg.USERAUTH_PK_OK)
    .writeString(algorithm)
    .writeString(blob)
    .toBytes();
}

export interface KbdPrompt {
  readonly prompt: string;
  /** Whether the client may show what is typed (false for secrets). */
  readonly echo: boolean;
}

/** What one INFO_REQUEST asks (RFC 4256 §3.2). */
export interface KbdChallenge {
  readonly name?: string;
  readonly instruction?: string;
  readonly prompts: readonly KbdPrompt[];
}

/**
 * byte INFO_REQUEST ‖ string name ‖ string instruction ‖ string language tag ‖
 * int num-prompts ‖ num-prompts × (string prompt ‖ boolean echo)
 */
export function encodeInfoRequest(c: KbdChallenge): Uint8Array {
  if (c.prompts.length > MAX_KBD_PROMPTS) {
    throw new RangeError(`keyboard-interactive: ${c.prompts.length} prompts (at most 64)`);
  }
  const w = new SshWriter()
    .writeByte(Msg.USERAUTH_INFO_REQUEST)
    .writeString(c.name ?? '')
    .writeString(c.instruction ?? '')
    .writeString('')
    .writeUint32(c.prompts.length);
  for (const p of c.prompts) w.writeString(p.prompt).writeBoolean(p.echo);
  return w.toBytes();
}

/** A USERAUTH_REQUEST by method; `other` is any method this side does not implement. */
export type RequestBody =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'publickey';
      readonly algorithm: string;
      readonly blob: Uint8Array;
      /** null: a query ("would you accept this key?"), answered with PK_OK at most. */
      readonly signature: Uint8Array | null;
    }
  | {
      readonly kind: 'password';
      readonly password: Uint8Array;
      /** A password change request (§8) carries the new password; never granted here. */
      readonly change: boolean;
    }
  | { readonly kind: 'keyboard-interactive'; readonly submethods: string }
  | { readonly kind: 'other' };

export type UserauthRequest = RequestBody & {
  readonly user: string;
  readonly service: string;
  readonly method: string;
};

/**
 * byte USERAUTH_REQUEST ‖ string user (UTF-8) ‖ string service ‖ string method ‖ fields:
 *   none:                  —
 *   publickey (§7):        boolean has-signature ‖ string algorithm ‖ string blob
 *                          [‖ string signature]
 *   password (§8):         boolean change ‖ string password [‖ string new password]
 *   keyboard-interactive:  string language tag ‖ string submethods (RFC 4256 §3.1)
 * Fields of other methods are not read.
 */
export function decodeUserauthRequest(payload: Uint8Array): UserauthRequest {
  const r = new SshReader(payload, 'USERAUTH_REQUEST');
  if (r.readByte() !== Msg.USERAUTH_REQUEST) throw new ProtocolError('not a USERAUTH_REQUEST');
  const user = readUser(r);
  const service = r.readAscii();
  const method = r.readAscii();
  const head = { user, service, method };
  switch (method) {
    case 'none':
      r.expectEnd();
      return { ...head, kind: 'none' };
    case 'publickey': {
      const signed = r.readBoolean();
      const algorithm = r.readAscii();
      const blob = r.readString();
      const signature = signed ? r.readString() : null;
      r.expectEnd();
      return { ...head, kind: 'publickey', algorithm, blob, signature };
    }
    case 'password': {
      const change = r.readBoolean();
      const password = r.readString();
      if (change) r.readString(); // the new password: read past, never used
      r.expectEnd();
      return { ...head, kind: 'password', password, change };
    }
    case 'keyboard-interactive': {
      r.readString(); // language tag, deprecated (RFC 4256 §3.1)
      const submethods = r.readUtf8();
      r.expectEnd();
      return { ...head, kind: 'keyboard-interactive', submethods };
    }
    default:
      return { ...head, kind: 'other' };
  }
}

function readUser(r: SshReader): string {
  const bytes = r.readString();
  if (bytes.length > MAX_USER_BYTES) {
    throw new IllegalUserName(`user name of ${bytes.length} bytes (at most ${MAX_USER_BYTES})`);
  }
  const user = decodeUtf8(bytes);
  if (user === null) throw new IllegalUserName('user name is not valid UTF-8');
  if (user.includes('\0')) throw new IllegalUserName('user name contains a NUL character');
  return user;
}

/** byte INFO_RESPONSE ‖ int num-responses ‖ num-responses × string response (UTF-8) */
export function decodeInfoResponse(payload: Uint8Array): string[] {
  const r = new SshReader(payload, 'USERAUTH_INFO_RESPONSE');
  if (r.readByte() !== Msg.USERAUTH_INFO_RESPONSE) {
    throw new ProtocolError('not a USERAUTH_INFO_RESPONSE');
  }
  const n = r.readUint32();
  if (n > MAX_KBD_PROMPTS) throw new ProtocolError(`keyboard-interactive: ${n} responses`);
  const answers: string[] = [];
  for (let i = 0; i < n; i++) answers.push(r.readUtf8());
  r.expectEnd();
  return answers;
}
