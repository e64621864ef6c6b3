/**
 * ecdh-sha2-nistp256, ecdh-sha2-nistp384, ecdh-sha2-nistp521 (RFC 5656 §4, §6.1–6.2).
 * Q_C and Q_S are uncompressed SEC1 points; the peer's point is validated before use.
 * K is the x-coordinate of the shared point (fieldBytes long) encoded as mpint (§4).
 * The hash follows the curve size: SHA-256, SHA-384, SHA-512 (§6.2.1).
 */
import type { DirectKexMethod, KexClientSession, KexServerResult } from './types.js';
import { wipe } from '../../wire/bytes.js';
import { nistCurves, type NistCurveId } from '../ec.js';
import { ecdhBackend, type EcdhBackend } from './ecdh-backend.js';
import { mpintSecret, usedOnce } from './encode.js';

export type EcdhNistName = `ecdh-sha2-${NistCurveId}`;

/** An ecdh-sha2-* method; `backend` defaults to the self-tested choice for the curve. */
export function ecdhNistMethod(id: NistCurveId, backend?: EcdhBackend): DirectKexMethod {
  const curve = nistCurves[id];
  const pick = (): EcdhBackend => backend ?? ecdhBackend(curve);
  return {
    kind: 'direct',
    name: `ecdh-sha2-${id}` satisfies EcdhNistName,
    hash: curve.hash,
    createClient(): KexClientSession {
      const eph = pick().generate(curve);
      const once = usedOnce();
      return {
        clientPublic: eph.publicKey,
        computeSecret(serverPublic) {
          once();
          const x = eph.agree(serverPublic);
          const k = mpintSecret(x);
          wipe(x);
          return k;
        },
      };
    },
    respond(clientPublic): KexServerResult {
      const eph = pick().generate(curve);
      const x = eph.agree(clientPublic);
      const sharedSecret = mpintSecret(x);
      wipe(x);
      return { serverPublic: eph.publicKey, sharedSecret };
    },
  };
}
