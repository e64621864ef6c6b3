/** KEXINIT name-lists for tests: one plain set (curve25519, ed25519, aes128-ctr), overridable. */
import type { KexInitLists } from '../../core/transport/kexinit.js';

export function kexInitLists(over: Partial<KexInitLists> = {}): KexInitLists {
  return {
    kex: ['curve25519-sha256'],
    hostKey: ['ssh-ed25519'],
    cipherCtoS: ['aes128-ctr'],
    cipherStoC: ['aes128-ctr'],
    macCtoS: ['hmac-sha2-256'],
    macStoC: ['hmac-sha2-256'],
    compCtoS: ['none'],
    compStoC: ['none'],
    langCtoS: [],
    langStoC: [],
    firstKexPacketFollows: false,
    ...over,
  };
}
