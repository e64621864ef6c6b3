/**
 * Key-exchange method interface. The transport owns the messages and the exchange hash;
 * a KexMethod owns only the math of one method and how its values are encoded.
 *
 * Encodings: the public values in KEXDH_INIT/REPLY (mpint e/f for finite-field DH, string
 * Q_C/Q_S for ECDH, RFC 5656 §4; string C_INIT/S_REPLY for the hybrid PQ methods) all have
 * the wire form uint32 length ‖ bytes. The transport passes the *content* bytes (without the
 * length prefix) in and out, and hashes them as `string` — the same bytes as their wire form.
 * The shared secret K comes back already encoded for H and key derivation (RFC 4253 §7.2):
 * mpint for DH/ECDH/curve25519, string for mlkem768x25519-sha256 and sntrup761x25519-sha512.
 */

export type KexHashName = 'sha256' | 'sha384' | 'sha512';

/** Client side of one exchange: an ephemeral key pair. Discard after use. */
export interface KexClientSession {
  /** Content of e / Q_C / C_INIT to send (mpint content for DH, without length prefix). */
  readonly clientPublic: Uint8Array;
  /**
   * Validates the server's f / Q_S / S_REPLY content and derives K, encoded (with length
   * prefix) as mpint or string per the method. Throws KeyExchangeFailed on invalid values
   * (out-of-range DH values, an all-zero X25519 result, a wrong-length ML-KEM ciphertext).
   */
  computeSecret(serverPublic: Uint8Array): Uint8Array;
}

export interface KexServerResult {
  /** Content of f / Q_S / S_REPLY to send. */
  readonly serverPublic: Uint8Array;
  /** K, encoded with length prefix. */
  readonly sharedSecret: Uint8Array;
}

interface KexMethodBase {
  readonly name: string;
  readonly hash: KexHashName;
}

/**
 * One round trip: KEX_ECDH_INIT(30) → KEX_ECDH_REPLY(31). Covers curve25519, ecdh-sha2-*,
 * diffie-hellman-group14/16/18 and mlkem768x25519-sha256.
 */
export interface DirectKexMethod extends KexMethodBase {
  readonly kind: 'direct';
  createClient(): KexClientSession;
  /** Server role: validate the client's value and answer. Throws KeyExchangeFailed. */
  respond(clientPublic: Uint8Array): KexServerResult;
}

/** Group exchange (RFC 4419): GEX_REQUEST(34) → GEX_GROUP(31) → GEX_INIT(32) → GEX_REPLY(33). */
export interface GexKexMethod extends KexMethodBase {
  readonly kind: 'gex';
  /** Bits the client asks for: min, preferred, max (OpenSSH: 2048, 8192 capped by cipher, 8192). */
  readonly requestBits: { readonly min: number; readonly n: number; readonly max: number };
  /**
   * Client role: validates the group p, g (unsigned magnitudes) against min/max and basic
   * sanity (odd p, 1 < g < p-1), then creates the ephemeral session. Throws KeyExchangeFailed.
   */
  createClient(p: Uint8Array, g: Uint8Array, min: number, max: number): KexClientSession;
  /** Server role: pick a group for the request (from the RFC 3526 MODP groups). */
  chooseGroup(min: number, n: number, max: number): { p: Uint8Array; g: Uint8Array };
  /** Server role: validate e against the group and answer. */
  respond(p: Uint8Array, g: Uint8Array, clientPublic: Uint8Array): KexServerResult;
}

export type KexMethod = DirectKexMethod | GexKexMethod;
