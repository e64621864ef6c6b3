/**
 * MAC registry: wire name → algorithm (CONVENTIONS §4). The order of supportedMacs() is
 * OpenSSH's default preference among the MACs we implement: -etm first.
 */
import { ConfigError } from '../../errors.js';
import { resolveBackend } from '../backend.js';
import type { CryptoBackend, MacInfo } from '../cipher/types.js';
import { hmacSha2_256, hmacSha2_256Etm, hmacSha2_512, hmacSha2_512Etm } from './hmac-sha2.js';
import type { MacAlgorithm, PacketMac } from './types.js';

export type { MacAlgorithm, PacketMac } from './types.js';

const MACS: ReadonlyMap<string, MacAlgorithm> = new Map(
  [hmacSha2_256Etm, hmacSha2_512Etm, hmacSha2_256, hmacSha2_512].map((m) => [m.info.name, m]),
);

export function macInfo(name: string): MacInfo | undefined {
  return MACS.get(name)?.info;
}

export function supportedMacs(): string[] {
  return [...MACS.keys()];
}

/** Creates a keyed MAC; unknown names throw ConfigError. The key is copied. */
export function createMac(
  name: string,
  key: Uint8Array,
  backend: CryptoBackend = 'auto',
): PacketMac {
  const alg = MACS.get(name);
  if (alg === undefined) throw new ConfigError(`unknown MAC ${name}`, { mac: name });
  return alg.create(key, resolveBackend(alg.native, backend, name));
}
