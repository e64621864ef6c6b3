/**
 * SSH_MSG_EXT_INFO (RFC 8308 §2.3):
 *   byte EXT_INFO ‖ uint32 nr-extensions ‖ repeated { string name ‖ string value }
 * Parsed defensively: the count and each value are bounded, unknown extensions kept opaque.
 */
import { ProtocolError } from '../errors.js';
import { Msg } from '../wire/messages.js';
import { SshReader } from '../wire/reader.js';
import { SshWriter } from '../wire/writer.js';

const MAX_EXTENSIONS = 64;
const MAX_VALUE_BYTES = 16 * 1024;

export function decodeExtInfo(payload: Uint8Array): Map<string, Uint8Array> {
  const r = new SshReader(payload, 'EXT_INFO');
  r.readByte();
  const n = r.readUint32();
  if (n > MAX_EXTENSIONS) throw new ProtocolError(`EXT_INFO announces ${n} extensions`);
  const out = new Map<string, Uint8Array>();
  for (let i = 0; i < n; i++) {
    const name = r.readAscii();
    const value = r.readString();
    if (value.length > MAX_VALUE_BYTES) {
      throw new ProtocolError(`EXT_INFO value for ${name} is ${value.length} bytes`);
    }
    out.set(name, value.slice());
  }
  r.expectEnd();
  return out;
}

export function encodeExtInfo(extensions: ReadonlyMap<string, Uint8Array | string>): Uint8Array {
  const w = new SshWriter().writeByte(Msg.EXT_INFO).writeUint32(extensions.size);
  for (const [name, value] of extensions) w.writeString(name).writeString(value);
  return w.toBytes();
}

/** server-sig-algs as a list; a malformed value yields an empty list (then auth falls back). */
export function serverSigAlgs(ext: ReadonlyMap<string, Uint8Array>): string[] {
  const v = ext.get('server-sig-algs');
  if (!v) return [];
  const text = Buffer.from(v).toString('latin1');
  if (!/^[\x21-\x7e]*$/.test(text)) return [];
  return text.split(',').filter((s) => s !== '');
}
