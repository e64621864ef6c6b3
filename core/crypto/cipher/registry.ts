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

type Role = 'sealer' | 'opener';

function build(
  role: Role,
  cipher: string,
  mac: string | null,
  keys: DirectionKeys,
  backend: CryptoBackend,
): PacketSealer | PacketOpener {
  const entry = lookup(cipher);
  const macName = entry.info.aead ? null : requireMac(cipher, mac);
  const be: ResolvedBackend = resolveBackend(entry.native, backend, cipher);
  switch (entry.kind) {
    case 'chacha20-poly1305':
      return role === 'sealer'
        ? new ChaChaPolySealer(keys.key, be, backend)
        : new ChaChaPolyOpener(keys.key, be, backend);
    case 'aes-gcm':
      return role === 'sealer'
        ? new GcmSealer(entry.info, keys, be)
        : new GcmOpener(entry.info, keys, be);
    case 'aes-ctr': {
      const name = macName ?? '';
      const packetMac = createMac(name, keys.macKey, backend);
      const etm = macInfo(name)?.etm === true;
      const stream = aesCtrStream(entry.info, keys.key, keys.iv, be);
      const names = {
        cipher,
        mac: name,
        backend: be,
        role: role === 'sealer' ? 'PacketSealer' : 'PacketOpener',
      };
      const args = [names, entry.info.blockSize, stream, packetMac, etm] as const;
      return role === 'sealer' ? new BlockMacSealer(...args) : new BlockMacOpener(...args);
    }
  }
}

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
  return build('sealer', cipher, mac, keys, backend) as PacketSealer;
}

/** Protection for packets we receive; as createSealer. */
export function createOpener(
  cipher: string,
  mac: string | null,
  keys: DirectionKeys,
  backend: CryptoBackend = 'auto',
): PacketOpener {
  return build('opener', cipher, mac, keys, backend) as PacketOpener;
}
