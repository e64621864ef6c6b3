/**
 * User-authentication messages (RFC 4252 §5–8, RFC 4256 §3): encoders for the client's
 * requests and decoders for the server's answers. Message 60 means PK_OK, PASSWD_CHANGEREQ or
 * INFO_REQUEST depending on the method in flight; the caller knows which.
 */
import { Msg } from '../wire/messages.js';
import { SshReader } from '../wire/reader.js';
import { SshWriter } from '../wire/writer.js';
import { ProtocolError } from '../errors.js';

export const SERVICE_CONNECTION = 'ssh-connection';

/** byte USERAUTH_REQUEST ‖ string user ‖ string service ‖ string method ‖ method fields */
function request(user: string, method: string): SshWriter {
  return new SshWriter()
    .writeByte(Msg.USERAUTH_REQUEST)
    .writeString(user)
    .writeString(SERVICE_CONNECTION)
    .writeString(method);
}

export function noneRequest(user: string): Uint8Array {
  return request(user, 'none').toBytes();
}

/** publickey without a signature: "would you accept this key?" (RFC 4252 §7) */
export function publickeyQuery(user: string, algorithm: string, blob: Uint8Array): Uint8Array {
  return request(user, 'publickey')
    .writeBoolean(false)
    .writeString(algorithm)
    .writeString(blob)
    .toBytes();
}

/**
 * What the signature covers (RFC 4252 §7):
 *   string session_id ‖ byte 50 ‖ string user ‖ string service ‖ string "publickey" ‖
 *   boolean TRUE ‖ string algorithm ‖ string key blob
 */
export function publickeySignedData(
  sessionId: Uint8Array,
  user: string,
  algorithm: string,
  blob: Uint8Array,
): Uint8Array {
  const body = request(user, 'publickey')
    .writeBoolean(true)
    .writeString(algorithm)
    .writeString(blob)
    .toBytes();
  return new SshWriter().writeString(sessionId).writeBytes(body).toBytes();
}

export function publickeyRequest(
  user: string,
  algorithm: string,
  blob: Uint8Array,
  signature: Uint8Array,
): Uint8Array {
  return request(user, 'publickey')
    .writeBoolean(true)
    .writeString(algorithm)
    .writeString(blob)
    .writeString(signature)
    .toBytes();
}

export function passwordRequest(user: string, password: string): Uint8Array {
  return request(user, 'password').writeBoolean(false).writeString(password).toBytes();
}

/** keyboard-interactive (RFC 4256 §3.1): string language tag ‖ string submethods */
export function kbdInteractiveRequest(user: string): Uint8Array {
  return request(user, 'keyboard-interactive').writeString('').writeString('').toBytes();
}

export function infoResponse(answers: readonly string[]): Uint8Array {
  const w = new SshWriter().writeByte(Msg.USERAUTH_INFO_RESPONSE).writeUint32(answers.length);
  for (const a of answers) w.writeString(a);
  return w.toBytes();
}

export interface Failure {
  readonly methods: string[];
  readonly partialSuccess: boolean;
}

/** USERAUTH_FAILURE: name-list authentications that can continue ‖ boolean partial success */
export function decodeFailure(payload: Uint8Array): Failure {
  const r = new SshReader(payload, 'USERAUTH_FAILURE');
  r.readByte();
  const methods = r.readNameList();
  const partialSuccess = r.readBoolean();
  r.expectEnd();
  return { methods, partialSuccess };
}

/** USERAUTH_BANNER: string message ‖ string language tag */
export function decodeBanner(payload: Uint8Array): string {
  const r = new SshReader(payload, 'USERAUTH_BANNER');
  r.readByte();
  const text = Buffer.from(r.readString()).toString('utf8');
  return sanitizeForTerminal(text);
}

/** PK_OK: string algorithm ‖ string blob, echoing the query. */
export function decodePkOk(payload: Uint8Array): { algorithm: string; blob: Uint8Array } {
  const r = new SshReader(payload, 'USERAUTH_PK_OK');
  r.readByte();
  const algorithm = r.readAscii();
  const blob = r.readString();
  r.expectEnd();
  return { algorithm, blob };
}

export interface InfoRequest {
  readonly name: string;
  readonly instruction: string;
  readonly prompts: { readonly prompt: string; readonly echo: boolean }[];
}

const MAX_PROMPTS = 64;

/** INFO_REQUEST (RFC 4256 §3.2) */
export function decodeInfoRequest(payload: Uint8Array): InfoRequest {
  const r = new SshReader(payload, 'USERAUTH_INFO_REQUEST');
  r.readByte();
  const name = sanitizeForTerminal(r.readUtf8());
  const instruction = sanitizeForTerminal(r.readUtf8());
  r.readString(); // language tag, deprecated
  const n = r.readUint32();
  if (n > MAX_PROMPTS) throw new ProtocolError(`keyboard-interactive: ${n} prompts`);
  const prompts = [];
  for (let i = 0; i < n; i++)
    prompts.push({ prompt: sanitizeForTerminal(r.readUtf8()), echo: r.readBoolean() });
  r.expectEnd();
  return { name, instruction, prompts };
}

/**
 * Text from the server shown on a terminal: control characters other than tab and newline
 * are made visible (as OpenSSH's strvis does), so a banner cannot move the cursor, rewrite
 * the prompt or change the terminal's state.
 */
export function sanitizeForTerminal(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r\n/g, '\n').replace(/[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x20 ? `^${String.fromCharCode(code + 0x40)}` : `\\x${code.toString(16)}`;
  });
}
