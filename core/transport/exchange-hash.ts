/**
 * The exchange hash H and the keys derived from it, for both KEX shapes.
 *
 * Direct (RFC 4253 §8, RFC 5656 §4, RFC 8731, draft-ietf-sshm-mlkem-hybrid-kex):
 *   H = HASH(string V_C ‖ string V_S ‖ string I_C ‖ string I_S ‖ string K_S ‖
 *            string Q_C ‖ string Q_S ‖ K)
 * Group exchange (RFC 4419 §3):
 *   H = HASH(string V_C ‖ string V_S ‖ string I_C ‖ string I_S ‖ string K_S ‖
 *            uint32 min ‖ uint32 n ‖ uint32 max ‖ mpint p ‖ mpint g ‖ mpint e ‖ mpint f ‖ mpint K)
 * Public values are passed as their wire *content*; mpint and string share the wire form, so
 * they are written back as strings, byte for byte as received. K arrives already encoded.
 */
import type { PacketOpener, PacketSealer } from '../crypto/cipher/types.js';
import { cipherInfo, createOpener, createSealer, macInfo } from '../crypto/cipher/index.js';
import type { KexHashName } from '../crypto/kex/types.js';
import { kexHash } from '../crypto/hash.js';
import { SshWriter } from '../wire/writer.js';
import { utf8 } from '../wire/bytes.js';
import type { Negotiated } from './kexinit.js';
import { deriveDirectionKeys, type DirectionSizes } from './key-derivation.js';
import { ConfigError } from '../errors.js';

export interface HashInputs {
  readonly clientVersion: string;
  readonly serverVersion: string;
  readonly clientKexInit: Uint8Array;
  readonly serverKexInit: Uint8Array;
  readonly hostKeyBlob: Uint8Array;
}

export interface GexParams {
  readonly min: number;
  readonly n: number;
  readonly max: number;
  readonly p: Uint8Array;
  readonly g: Uint8Array;
}

export function exchangeHash(
  hash: KexHashName,
  inputs: HashInputs,
  clientPublic: Uint8Array,
  serverPublic: Uint8Array,
  encodedK: Uint8Array,
  gex?: GexParams,
): Uint8Array {
  const w = new SshWriter(4096)
    .writeString(utf8(inputs.clientVersion))
    .writeString(utf8(inputs.serverVersion))
    .writeString(inputs.clientKexInit)
    .writeString(inputs.serverKexInit)
    .writeString(inputs.hostKeyBlob);
  if (gex) {
    w.writeUint32(gex.min).writeUint32(gex.n).writeUint32(gex.max);
    w.writeMpintBytes(gex.p).writeMpintBytes(gex.g);
  }
  w.writeString(clientPublic).writeString(serverPublic).writeBytes(encodedK);
  return kexHash(hash, w.toBytes());
}

function sizes(cipher: string, mac: string | null): DirectionSizes {
  const c = cipherInfo(cipher);
  if (!c) throw new ConfigError(`unknown cipher ${cipher}`);
  const m = mac !== null && !c.aead ? macInfo(mac) : undefined;
  if (mac !== null && !c.aead && !m) throw new ConfigError(`unknown MAC ${mac}`);
  return { ivLength: c.ivLength, keyLength: c.keyLength, macKeyLength: m ? m.keyLength : 0 };
}

/** The sealer for what we send and the opener for what we receive after NEWKEYS. */
export interface NewKeys {
  readonly outbound: PacketSealer;
  readonly inbound: PacketOpener;
}

export function makeNewKeys(
  role: 'client' | 'server',
  hash: KexHashName,
  encodedK: Uint8Array,
  h: Uint8Array,
  sessionId: Uint8Array,
  neg: Negotiated,
): NewKeys {
  const macC = cipherInfo(neg.cipherCtoS)?.aead ? null : neg.macCtoS;
  const macS = cipherInfo(neg.cipherStoC)?.aead ? null : neg.macStoC;
  const keys = deriveDirectionKeys(
    hash,
    encodedK,
    h,
    sessionId,
    sizes(neg.cipherCtoS, macC),
    sizes(neg.cipherStoC, macS),
  );
  const ctosSealer = (): PacketSealer => createSealer(neg.cipherCtoS, macC, keys.ctos);
  const stocSealer = (): PacketSealer => createSealer(neg.cipherStoC, macS, keys.stoc);
  const result: NewKeys =
    role === 'client'
      ? { outbound: ctosSealer(), inbound: createOpener(neg.cipherStoC, macS, keys.stoc) }
      : { outbound: stocSealer(), inbound: createOpener(neg.cipherCtoS, macC, keys.ctos) };
  for (const k of [keys.ctos, keys.stoc]) {
    k.iv.fill(0);
    k.key.fill(0);
    k.macKey.fill(0);
  }
  return result;
}
