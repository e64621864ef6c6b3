/**
 * Elliptic-curve Diffie-Hellman on nistp256/384/521 (RFC 5656 §4, SEC1 §3.3.1) with two
 * backends: node:crypto createECDH after a known-answer self-test per curve, @noble/curves
 * otherwise. The peer point is validated as OpenSSH does (core/crypto/ec.ts) before either
 * backend sees it; `agree` returns the shared x-coordinate, fieldBytes long.
 */
import { createECDH } from 'node:crypto';
import { KeyExchangeFailed } from '../../errors.js';
import { wipe } from '../../wire/bytes.js';
import { bigIntToBytes } from '../bigint.js';
import { nistPointProblem, type NistCurve, type NistCurveId } from '../ec.js';
import { sameBytes, selfTest } from '../selftest.js';

export interface EcdhEphemeral {
  /** Our public point, uncompressed SEC1 (0x04 ‖ x ‖ y). */
  readonly publicKey: Uint8Array;
  /** x-coordinate of d·Q for the peer's point Q. Throws KeyExchangeFailed. One use. */
  agree(peerPublic: Uint8Array): Uint8Array;
}

export interface EcdhBackend {
  readonly name: 'node' | 'noble';
  generate(curve: NistCurve): EcdhEphemeral;
  /** A key pair from a fixed private scalar (known-answer tests). */
  fromSecret(curve: NistCurve, secret: Uint8Array): EcdhEphemeral;
}

function checkPeer(curve: NistCurve, peer: Uint8Array): void {
  const problem = nistPointProblem(curve, peer);
  if (problem !== undefined) throw new KeyExchangeFailed(`ECDH peer public key: ${problem}`);
}

// --- node:crypto ---------------------------------------------------------------------------

function nodeEphemeral(curve: NistCurve, secret?: Uint8Array): EcdhEphemeral {
  const ecdh = createECDH(curve.opensslName);
  let pub: Buffer;
  if (secret === undefined) {
    pub = ecdh.generateKeys();
  } else {
    ecdh.setPrivateKey(secret);
    pub = ecdh.getPublicKey();
  }
  return {
    publicKey: new Uint8Array(pub.buffer, pub.byteOffset, pub.byteLength),
    agree(peer) {
      checkPeer(curve, peer);
      let s: Buffer;
      try {
        s = ecdh.computeSecret(peer);
      } catch (cause) {
        throw new KeyExchangeFailed('ECDH peer public key rejected', {}, { cause });
      }
      return new Uint8Array(s.buffer, s.byteOffset, s.byteLength);
    },
  };
}

export const nodeEcdh: EcdhBackend = {
  name: 'node',
  generate: (curve) => nodeEphemeral(curve),
  fromSecret: (curve, secret) => nodeEphemeral(curve, secret),
};

// --- @noble/curves -------------------------------------------------------------------------

function nobleEphemeral(curve: NistCurve, secretKey: Uint8Array): EcdhEphemeral {
  return {
    publicKey: curve.noble.getPublicKey(secretKey, false),
    agree(peer) {
      checkPeer(curve, peer);
      try {
        // Compressed shared point: 0x02/0x03 ‖ x.
        return curve.noble.getSharedSecret(secretKey, peer, true).subarray(1);
      } catch (cause) {
        throw new KeyExchangeFailed('ECDH peer public key rejected', {}, { cause });
      } finally {
        wipe(secretKey);
      }
    },
  };
}

export const nobleEcdh: EcdhBackend = {
  name: 'noble',
  generate: (curve) => nobleEphemeral(curve, curve.noble.utils.randomSecretKey()),
  fromSecret: (curve, secret) => nobleEphemeral(curve, secret.slice()),
};

// --- selection -----------------------------------------------------------------------------

// Known answer per curve: 2·G computed by node (a real scalar multiplication) against noble's
// point doubling of G (independent code).
function nodeSelfTest(curve: NistCurve): () => boolean {
  return selfTest(() => {
    const G = curve.noble.Point.BASE;
    const e = nodeEcdh.fromSecret(curve, bigIntToBytes(2n, curve.scalarBytes));
    const want = bigIntToBytes(G.double().toAffine().x, curve.fieldBytes);
    return sameBytes(e.agree(G.toBytes(false)), want);
  });
}
const nodeWorks: Partial<Record<NistCurveId, () => boolean>> = {};

function nodeWorksFor(curve: NistCurve): boolean {
  const t = (nodeWorks[curve.id] ??= nodeSelfTest(curve));
  return t();
}

/** The backend to use for this curve: node:crypto when its self-test passes, else noble. */
export function ecdhBackend(curve: NistCurve): EcdhBackend {
  return nodeWorksFor(curve) ? nodeEcdh : nobleEcdh;
}

/** Every backend that works for this curve, fastest first. */
export function ecdhBackends(curve: NistCurve): EcdhBackend[] {
  return nodeWorksFor(curve) ? [nodeEcdh, nobleEcdh] : [nobleEcdh];
}
