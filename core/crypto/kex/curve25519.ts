/**
 * curve25519-sha256 and curve25519-sha256@libssh.org (RFC 8731; libssh's
 * curve25519-sha256@libssh.org.txt). One round trip of SSH_MSG_KEX_ECDH_INIT/REPLY (RFC 5656
 * §4) carrying 32-byte X25519 public values Q_C and Q_S.
 *
 * K: the 32-byte X25519 output read as an unsigned big-endian integer and encoded as mpint
 * (RFC 8731 §3.1) — no byte reversal; leading zeros dropped, a 0x00 added before a high bit.
 * An all-zero output (low-order peer point) aborts the exchange (§3).
 */
import type { DirectKexMethod, KexClientSession, KexServerResult } from './types.js';
import { wipe } from '../../wire/bytes.js';
import { mpintSecret, usedOnce } from './encode.js';
import { x25519Backend, type X25519Backend } from './x25519.js';

export type Curve25519Name = 'curve25519-sha256' | 'curve25519-sha256@libssh.org';

/** A curve25519 method; `backend` defaults to the self-tested choice at each use. */
export function curve25519Method(name: Curve25519Name, backend?: X25519Backend): DirectKexMethod {
  const pick = (): X25519Backend => backend ?? x25519Backend();
  return {
    kind: 'direct',
    name,
    hash: 'sha256',
    createClient(): KexClientSession {
      const eph = pick().generate();
      const once = usedOnce();
      return {
        clientPublic: eph.publicKey,
        computeSecret(serverPublic) {
          once();
          const raw = eph.agree(serverPublic);
          const k = mpintSecret(raw);
          wipe(raw);
          return k;
        },
      };
    },
    respond(clientPublic): KexServerResult {
      const eph = pick().generate();
      const raw = eph.agree(clientPublic);
      const sharedSecret = mpintSecret(raw);
      wipe(raw);
      return { serverPublic: eph.publicKey, sharedSecret };
    },
  };
}
