/**
 * Default algorithm preferences (DESIGN.md "Algorithms", following OpenSSH 10) and their
 * configuration with ssh_config's +, -, ^ syntax. Defaults only name algorithms the runtime
 * implements; when the runtime has neither libsodium (sodium-native) nor node:crypto's
 * chacha20 (Electron's BoringSSL has none), AES-GCM goes before chacha20-poly1305 because the
 * pure-JS path is several times slower.
 */
import { nativeAvailable } from '../crypto/backend.js';
import { sodium } from '../crypto/sodium.js';
import { supportedCiphers, supportedMacs } from '../crypto/cipher/index.js';
import { supportedKex } from '../crypto/kex/index.js';
import {
  certificateHostKeyAlgorithms,
  legacyCertificateHostKeyAlgorithms,
  supportedHostKeyAlgorithms,
  legacyHostKeyAlgorithms,
} from '../crypto/hostkey/index.js';
import { applyAlgorithmSpec } from './algorithm-list.js';

export interface AlgorithmPreferences {
  readonly kex: readonly string[];
  readonly hostKey: readonly string[];
  readonly ciphers: readonly string[];
  readonly macs: readonly string[];
  readonly compression: readonly string[];
}

/** Each entry: a list, or an ssh_config-style spec string ("+ssh-rsa", "-*-cbc", "^aes128-gcm@openssh.com"). */
export interface AlgorithmConfig {
  readonly kex?: string | readonly string[];
  readonly hostKey?: string | readonly string[];
  readonly ciphers?: string | readonly string[];
  readonly macs?: string | readonly string[];
}

const KEX_ORDER = [
  'mlkem768x25519-sha256',
  'sntrup761x25519-sha512',
  'sntrup761x25519-sha512@openssh.com',
  'curve25519-sha256',
  'curve25519-sha256@libssh.org',
  'ecdh-sha2-nistp256',
  'ecdh-sha2-nistp384',
  'ecdh-sha2-nistp521',
  'diffie-hellman-group-exchange-sha256',
  'diffie-hellman-group16-sha512',
  'diffie-hellman-group18-sha512',
  'diffie-hellman-group14-sha256',
];

const CIPHER_ORDER = [
  'chacha20-poly1305@openssh.com',
  'aes128-gcm@openssh.com',
  'aes256-gcm@openssh.com',
  'aes128-ctr',
  'aes192-ctr',
  'aes256-ctr',
];

const MAC_ORDER = [
  'hmac-sha2-256-etm@openssh.com',
  'hmac-sha2-512-etm@openssh.com',
  'hmac-sha2-256',
  'hmac-sha2-512',
];

function ordered(order: readonly string[], have: readonly string[]): string[] {
  return order.filter((a) => have.includes(a));
}

export function defaultAlgorithms(): AlgorithmPreferences {
  let ciphers = ordered(CIPHER_ORDER, supportedCiphers());
  // chacha20-poly1305 is fast with node:crypto's ChaCha20 or libsodium (loaded only when
  // node:crypto has none); with neither (only @noble's JavaScript) aes-gcm goes first
  if (!nativeAvailable.chacha20 && sodium() === null) {
    const gcm = ciphers.filter((c) => c.includes('-gcm@'));
    ciphers = [...gcm, ...ciphers.filter((c) => !gcm.includes(c))];
  }
  return {
    kex: ordered(KEX_ORDER, supportedKex()),
    hostKey: [...supportedHostKeyAlgorithms()],
    ciphers,
    macs: ordered(MAC_ORDER, supportedMacs()),
    compression: ['none'],
  };
}

/** Resolves the user's configuration against the defaults; throws ConfigError. */
export function resolveAlgorithms(config: AlgorithmConfig = {}): AlgorithmPreferences {
  const d = defaultAlgorithms();
  return {
    kex: applyAlgorithmSpec('kex', d.kex, supportedKex(), config.kex),
    hostKey: applyAlgorithmSpec(
      'host key',
      d.hostKey,
      [
        ...supportedHostKeyAlgorithms(),
        ...legacyHostKeyAlgorithms(),
        ...certificateHostKeyAlgorithms(),
        ...legacyCertificateHostKeyAlgorithms(),
      ],
      config.hostKey,
    ),
    ciphers: applyAlgorithmSpec('cipher', d.ciphers, supportedCiphers(), config.ciphers),
    macs: applyAlgorithmSpec('MAC', d.macs, supportedMacs(), config.macs),
    compression: d.compression,
  };
}
