/**
 * Registry of key-exchange methods by wire name (RFC 4253 §7.1 kex_algorithms), in OpenSSH
 * 10's default preference order. Negotiation and "preferred" lists (ssh_config KexAlgorithms)
 * belong to the transport and config layers; this module only knows what exists.
 *
 * Not here: sntrup761x25519-sha512 (and its @openssh.com alias) — no dependency we ship has a
 * Streamlined NTRU Prime implementation. Also not here: SHA-1 methods (group1, group14-sha1,
 * gex-sha1), which OpenSSH no longer offers by default.
 */
import type { KexMethod } from './types.js';
import { curve25519Method } from './curve25519.js';
import { dhGexMethod } from './dh-gex.js';
import { dhGroupMethod } from './dh-group.js';
import { ecdhNistMethod } from './ecdh-nistp.js';
import { mlkem768x25519Method } from './mlkem768x25519.js';

const methods: readonly KexMethod[] = [
  mlkem768x25519Method(),
  curve25519Method('curve25519-sha256'),
  curve25519Method('curve25519-sha256@libssh.org'),
  ecdhNistMethod('nistp256'),
  ecdhNistMethod('nistp384'),
  ecdhNistMethod('nistp521'),
  dhGexMethod(),
  dhGroupMethod('diffie-hellman-group16-sha512'),
  dhGroupMethod('diffie-hellman-group18-sha512'),
  dhGroupMethod('diffie-hellman-group14-sha256'),
];

const byName: ReadonlyMap<string, KexMethod> = new Map(methods.map((m) => [m.name, m]));

/** The method with this wire name, or undefined when we do not implement it. */
export function kexMethod(name: string): KexMethod | undefined {
  return byName.get(name);
}

/** Every method we implement, best first (OpenSSH 10 order without sntrup761). */
export function supportedKex(): string[] {
  return methods.map((m) => m.name);
}

export type {
  DirectKexMethod,
  GexKexMethod,
  KexClientSession,
  KexHashName,
  KexMethod,
  KexServerResult,
} from './types.js';
export { curve25519Method, type Curve25519Name } from './curve25519.js';
export { ecdhNistMethod, type EcdhNistName } from './ecdh-nistp.js';
export { dhGroupMethod, DH_PRIVATE_BITS, type DhGroupName } from './dh-group.js';
export { dhGexMethod, GEX_MAX_BITS, GEX_MIN_BITS, GEX_PREFERRED_BITS } from './dh-gex.js';
export { mlkem768x25519Method } from './mlkem768x25519.js';
export { kexHash } from '../hash.js';
