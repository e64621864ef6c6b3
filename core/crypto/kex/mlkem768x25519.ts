/**
 * mlkem768x25519-sha256 (draft-ietf-sshm-mlkem-hybrid-kex; OpenSSH kexmlkem768x25519.c):
 * ML-KEM-768 (FIPS 203) combined with X25519, in SSH_MSG_KEX_ECDH_INIT/REPLY.
 *
 *   C_INIT  = ML-KEM-768 encapsulation key (1184) ‖ X25519 public (32)
 *   S_REPLY = ML-KEM-768 ciphertext (1088)        ‖ X25519 public (32)
 *   K       = string( SHA-256( K_pq (32) ‖ X25519 raw shared secret (32) ) )
 *
 * Wrong lengths, an encapsulation key that fails the FIPS 203 §7.2 modulus check, and an
 * all-zero X25519 result abort the exchange. ML-KEM comes from @noble/post-quantum (node:crypto
 * has no ML-KEM before OpenSSL 3.5, and BoringSSL's is not exposed).
 */
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { KeyExchangeFailed } from '../../errors.js';
import { concatBytes, wipe } from '../../wire/bytes.js';
import { kexHash } from '../hash.js';
import type { DirectKexMethod, KexClientSession, KexServerResult } from './types.js';
import { stringSecret, usedOnce } from './encode.js';
import { X25519_KEY_BYTES, x25519Backend, type X25519Backend } from './x25519.js';

export const MLKEM768_PUBLIC_BYTES = 1184;
export const MLKEM768_CIPHERTEXT_BYTES = 1088;
export const MLKEM768X25519_CLIENT_BYTES = MLKEM768_PUBLIC_BYTES + X25519_KEY_BYTES;
export const MLKEM768X25519_SERVER_BYTES = MLKEM768_CIPHERTEXT_BYTES + X25519_KEY_BYTES;

function combine(kPq: Uint8Array, kX: Uint8Array): Uint8Array {
  const joined = concatBytes(kPq, kX);
  const digest = kexHash('sha256', joined);
  const k = stringSecret(digest);
  wipe(joined, digest, kPq, kX);
  return k;
}

/** The method; `backend` (X25519) defaults to the self-tested choice at each use. */
export function mlkem768x25519Method(backend?: X25519Backend): DirectKexMethod {
  const pick = (): X25519Backend => backend ?? x25519Backend();
  return {
    kind: 'direct',
    name: 'mlkem768x25519-sha256',
    hash: 'sha256',
    createClient(): KexClientSession {
      const { publicKey, secretKey } = ml_kem768.keygen();
      const eph = pick().generate();
      const once = usedOnce();
      return {
        clientPublic: concatBytes(publicKey, eph.publicKey),
        computeSecret(serverPublic) {
          once();
          try {
            if (serverPublic.length !== MLKEM768X25519_SERVER_BYTES) {
              throw new KeyExchangeFailed(
                `mlkem768x25519 S_REPLY must be ${MLKEM768X25519_SERVER_BYTES} bytes, got ${serverPublic.length}`,
              );
            }
            const ct = serverPublic.subarray(0, MLKEM768_CIPHERTEXT_BYTES);
            const kX = eph.agree(serverPublic.subarray(MLKEM768_CIPHERTEXT_BYTES));
            // Decapsulation never fails on a well-sized ciphertext (implicit rejection).
            const kPq = ml_kem768.decapsulate(ct, secretKey);
            return combine(kPq, kX);
          } finally {
            wipe(secretKey);
          }
        },
      };
    },
    respond(clientPublic): KexServerResult {
      if (clientPublic.length !== MLKEM768X25519_CLIENT_BYTES) {
        throw new KeyExchangeFailed(
          `mlkem768x25519 C_INIT must be ${MLKEM768X25519_CLIENT_BYTES} bytes, got ${clientPublic.length}`,
        );
      }
      const ek = clientPublic.subarray(0, MLKEM768_PUBLIC_BYTES);
      let enc: { cipherText: Uint8Array; sharedSecret: Uint8Array };
      try {
        enc = ml_kem768.encapsulate(ek);
      } catch (cause) {
        throw new KeyExchangeFailed('mlkem768x25519: invalid ML-KEM-768 public key', {}, { cause });
      }
      const eph = pick().generate();
      let kX: Uint8Array;
      try {
        kX = eph.agree(clientPublic.subarray(MLKEM768_PUBLIC_BYTES));
      } catch (e) {
        wipe(enc.sharedSecret);
        throw e;
      }
      return {
        serverPublic: concatBytes(enc.cipherText, eph.publicKey),
        sharedSecret: combine(enc.sharedSecret, kX),
      };
    },
  };
}
