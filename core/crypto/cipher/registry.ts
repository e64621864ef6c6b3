/**
 * Cipher registry: wire name → algorithm (CONVENTIONS §4), and the factories that join a
 * cipher, a MAC and one direction's keys (RFC 4253 §7.2 letters A–F) into a PacketSealer or
 * PacketOpener. The order of supportedCiphers() is OpenSSH 10's default preference; what to
 * offer is the transport's decision (see nativeAvailable in ../backend.ts).
 */
import { ConfigError } from '../../errors.js';
import { resolveBackend, type NativeAlgorithm, type ResolvedBackend } from '../backend.js';
import { createMac, macInfo } from '../mac/index.js';
import {
  aes128CtrInfo,
  aes192CtrInfo,
  aes256CtrInfo,
  aesCtrNative,
  aesCtrStream,
} from './aes-ctr.js';
import { aes128GcmInfo, aes256GcmInfo, GcmOpener, GcmSealer } from './aes-gcm.js';
import { BlockMacOpener, BlockMacSealer } from './block-mac.js';
import { chacha20Poly1305Info, ChaChaPolyOpener, ChaChaPolySealer } from './chacha20-poly1305.js';
import type {
  CipherInfo,
  CryptoBackend,
  DirectionKeys,
  PacketOpener,
  PacketSealer,
} from './types.js';

interface CipherEntry {
  readonly info: CipherInfo;
  readonly kind: 'chacha20-poly1305' | 'aes-gcm' | 'aes-ctr';
  /** The node:crypto primitive its 'node' backend needs. */
  readonly native: NativeAlgorithm;
}

const CIPHERS: ReadonlyMap<string, CipherEntry> = new Map(
  (
    [
      { info: chacha20Poly1305Info, kind: 'chacha20-poly1305', native: 'chacha20' },
      { info: aes128GcmInfo, kind: 'aes-gcm', native: 'aes-128-gcm' },
      { info: aes256GcmInfo, kind: 'aes-gcm', native: 'aes-256-gcm' },
      { info: aes128CtrInfo, kind: 'aes-ctr', native: aesCtrNative(aes128CtrInfo) },
      { info: aes192CtrInfo, kind: 'aes-ctr', native: aesCtrNative(aes192CtrInfo) },
      { info: aes256CtrInfo, kind: 'aes-ctr', native: aesCtrNative(aes256CtrInfo) },
    ] as const satisfies readonly CipherEntry[]
  ).map((c) => [c.info.name, c]),
);

export function cipherInfo(name: string): CipherInfo | undefined {
  return CIPHERS.get(name)?.info;
}

export function supportedCiphers(): string[] {
  return [...CIPHERS.keys()];
}

function lookup(cipher: string): CipherEntry {
  const entry = CIPHERS.get(cipher);
  if (entry === undefined) throw new ConfigError(`unknown cipher ${cipher}`, { cipher });
  return entry;
}

/** For a cipher with a separate MAC: the MAC's name, checked. */
function requireMac(cipher: string, mac: string | null): string {
  if (mac === null) throw new ConfigError(`cipher ${cipher} needs a MAC`, { cipher });
  if (macInfo(mac) === undefined) throw new ConfigError(`unknown MAC ${mac}`, { mac });
  return mac;
}

interface Request {
  readonly entry: CipherEntry;
  readonly mac: string | null;
  readonly keys: DirectionKeys;
  /** What the caller asked for, and what it resolved to for the cipher's primitive. */
  readonly requested: CryptoBackend;
  readonly backend: ResolvedBackend;
}

function request(
  cipher: string,
  mac: string | null,
  keys: DirectionKeys,
  requested: CryptoBackend,
): Request {
  const entry = lookup(cipher);
  const macName = entry.info.aead ? null : requireMac(cipher, mac);
  const backend = resolveBackend(entry.native, requested, cipher);
  return { entry, mac: macName, keys, requested, backend };
}

/** AES-CTR with its MAC: the arguments of BlockMacSealer and BlockMacOpener. */
function ctrParts(r: Request, role: string) {
  const mac = requireMac(r.entry.info.name, r.mac);
  const packetMac = createMac(mac, r.keys.macKey, r.requested);
  const stream = aesCtrStream(r.entry.info, r.keys.key, r.keys.iv, r.backend);
  const names = { cipher: r.entry.info.name, mac, backend: r.backend, role };
  return [names, r.entry.info.blockSize, stream, packetMac, macInfo(mac)?.etm === true] as const;
}

const builders: Record<
  CipherEntry['kind'],
  { sealer(r: Request): PacketSealer; opener(r: Request): PacketOpener }
> = {
  'chacha20-poly1305': {
    sealer: (r) => new ChaChaPolySealer(r.keys.key, r.backend, r.requested),
    opener: (r) => new ChaChaPolyOpener(r.keys.key, r.backend, r.requested),
  },
  'aes-gcm': {
    sealer: (r) => new GcmSealer(r.entry.info, r.keys, r.backend),
    opener: (r) => new GcmOpener(r.entry.info, r.keys, r.backend),
  },
  'aes-ctr': {
    sealer: (r) => new BlockMacSealer(...ctrParts(r, 'PacketSealer')),
    opener: (r) => new BlockMacOpener(...ctrParts(r, 'PacketOpener')),
  },
};

/**
 * Protection for packets we send. `mac` is ignored for AEAD ciphers and required otherwise.
 * Key material is copied; the caller may wipe `keys` afterwards. Unknown names throw
 * ConfigError, as does backend 'node' when this runtime lacks the primitive.
 */
export function createSealer(
  cipher: string,
  mac: string | null,
  keys: DirectionKeys,
  backend: CryptoBackend = 'auto',
): PacketSealer {
  const r = request(cipher, mac, keys, backend);
  return builders[r.entry.kind].sealer(r);
}

/** Protection for packets we receive; as createSealer. */
export function createOpener(
  cipher: string,
  mac: string | null,
  keys: DirectionKeys,
  backend: CryptoBackend = 'auto',
): PacketOpener {
  const r = request(cipher, mac, keys, backend);
  return builders[r.entry.kind].opener(r);
}
