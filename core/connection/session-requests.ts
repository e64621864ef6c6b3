/**
 * Session channel request bodies (RFC 4254 §6.2–6.10, RFC 4335): the fields after
 * `string request type ‖ boolean want reply`. Encoders for what a client sends, decoders for
 * what a server receives (and exit-status / exit-signal the other way). Each decoder ends
 * with expectEnd(): a malformed request is a ProtocolError.
 */
import { SshReader } from '../wire/reader.js';
import { SshWriter } from '../wire/writer.js';
import { ConfigError } from '../errors.js';
import { decodeTerminalModes } from './terminal-modes.js';

export interface PtyRequest {
  readonly term: string;
  readonly cols: number;
  readonly rows: number;
  readonly widthPx: number;
  readonly heightPx: number;
  /** Opcode → argument (see TerminalMode for the names). */
  readonly modes: ReadonlyMap<number, number>;
}

export interface WindowSize {
  readonly cols: number;
  readonly rows: number;
  readonly widthPx: number;
  readonly heightPx: number;
}

export type ExitStatus =
  | { readonly code: number }
  | { readonly signal: string; readonly coreDumped: boolean; readonly message: string };

/** Request-specific text is bytes on the wire; shown as UTF-8, invalid sequences replaced. */
function lossyText(r: SshReader): string {
  return Buffer.from(r.readString()).toString('utf8');
}

function done<T>(r: SshReader, value: T): T {
  r.expectEnd();
  return value;
}

/** §6.2: string TERM ‖ uint32 cols ‖ uint32 rows ‖ uint32 width px ‖ uint32 height px ‖ string modes */
export function encodePtyReq(term: string, size: WindowSize, modes: Uint8Array): Uint8Array {
  return new SshWriter()
    .writeString(term)
    .writeUint32(size.cols)
    .writeUint32(size.rows)
    .writeUint32(size.widthPx)
    .writeUint32(size.heightPx)
    .writeString(modes)
    .toBytes();
}

export function decodePtyReq(data: Uint8Array): PtyRequest {
  const r = new SshReader(data, 'pty-req');
  const term = r.readAscii();
  const cols = r.readUint32();
  const rows = r.readUint32();
  const widthPx = r.readUint32();
  const heightPx = r.readUint32();
  const modes = decodeTerminalModes(r.readString());
  return done(r, { term, cols, rows, widthPx, heightPx, modes });
}

/** §6.7: uint32 cols ‖ uint32 rows ‖ uint32 width px ‖ uint32 height px */
export function encodeWindowChange(size: WindowSize): Uint8Array {
  return new SshWriter(16)
    .writeUint32(size.cols)
    .writeUint32(size.rows)
    .writeUint32(size.widthPx)
    .writeUint32(size.heightPx)
    .toBytes();
}

export function decodeWindowChange(data: Uint8Array): WindowSize {
  const r = new SshReader(data, 'window-change');
  const cols = r.readUint32();
  const rows = r.readUint32();
  const widthPx = r.readUint32();
  const heightPx = r.readUint32();
  return done(r, { cols, rows, widthPx, heightPx });
}

/** §6.4 env: string name ‖ string value */
export function encodeEnv(name: string, value: string): Uint8Array {
  return new SshWriter().writeString(name).writeString(value).toBytes();
}

export function decodeEnv(data: Uint8Array): { name: string; value: string } {
  const r = new SshReader(data, 'env');
  const name = lossyText(r);
  const value = lossyText(r);
  return done(r, { name, value });
}

/** §6.5 exec (command), subsystem (name), §6.9 signal (name without "SIG"): one string. */
export function encodeText(text: string): Uint8Array {
  return new SshWriter().writeString(text).toBytes();
}

export function decodeText(data: Uint8Array, what: string): string {
  const r = new SshReader(data, what);
  return done(r, lossyText(r));
}

/** RFC 4335 break: uint32 break length in milliseconds. §6.10 exit-status: uint32 status. */
export function encodeUint32(n: number): Uint8Array {
  return new SshWriter(4).writeUint32(n).toBytes();
}

export function decodeUint32(data: Uint8Array, what: string): number {
  const r = new SshReader(data, what);
  return done(r, r.readUint32());
}

/** §6.10 exit-signal: string signal name ‖ boolean core dumped ‖ string message ‖ string language */
export function encodeExitSignal(signal: string, coreDumped: boolean, message: string): Uint8Array {
  return new SshWriter()
    .writeString(signal)
    .writeBoolean(coreDumped)
    .writeString(message)
    .writeString('')
    .toBytes();
}

export function decodeExitSignal(data: Uint8Array): ExitStatus {
  const r = new SshReader(data, 'exit-signal');
  const signal = r.readAscii();
  const coreDumped = r.readBoolean();
  const message = lossyText(r);
  r.readString(); // language tag
  return done(r, { signal, coreDumped, message });
}

/** Signal names go without the "SIG" prefix (§6.9): 'TERM', 'INT', 'HUP', … */
export function signalName(name: string): string {
  const bare = name.startsWith('SIG') ? name.slice(3) : name;
  if (!/^[A-Z0-9][A-Z0-9@._-]*$/i.test(bare)) {
    throw new ConfigError(`not a signal name: ${JSON.stringify(name)}`);
  }
  return bare;
}
