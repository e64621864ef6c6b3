/**
 * The publickey method, server side (RFC 4252 §7; RFC 8332 for RSA with SHA-2).
 *
 * Invariants:
 * - A request without a signature is a query: at most PK_OK, never success.
 * - A signed request authenticates only if the signature verifies, with the algorithm the
 *   request names, over the §7 data rebuilt here (session id, user, service, algorithm and
 *   blob of *this* request), and the policy accepts *this* blob on being asked with
 *   signed = true. Nothing carries over from an earlier query (the CVE-2024-45337 lesson).
 * - The algorithm must be accepted (PubkeyAcceptedAlgorithms) and use the blob's key type:
 *   rsa-sha2-256/512 and ssh-rsa for RSA keys, each only if listed.
 * - A key that already authenticated once on this connection is refused (publickey,publickey
 *   needs two keys).
 */
import { parsePublicKey } from '../crypto/hostkey/parse.js';
import { hostKeyAlgorithmKeyType } from '../crypto/hostkey/algorithms.js';
import type { PublicKey } from '../crypto/hostkey/types.js';
import { publickeySignedData } from './messages.js';
import type { AcceptedKey, OfferedKey, ServerAuthOptions } from './server-options.js';

/** Largest key blob and signature blob considered (RSA-16384 is about 2 KiB). */
export const MAX_KEY_BLOB_BYTES = 16 * 1024;
export const MAX_SIGNATURE_BYTES = 16 * 1024;

export type PublickeyOutcome<K> =
  | { readonly kind: 'pk-ok' }
  | { readonly kind: 'accepted'; readonly accepted: AcceptedKey<K> }
  | { readonly kind: 'refused'; readonly detail: string };

export interface PublickeyContext<K extends object | true> {
  readonly user: string;
  readonly sessionId: Uint8Array;
  readonly algorithms: readonly string[];
  /** Blobs (base64) that already authenticated on this connection. */
  readonly used: ReadonlySet<string>;
  readonly policy: NonNullable<ServerAuthOptions<K>['publickey']>;
}

export function blobId(blob: Uint8Array): string {
  return Buffer.from(blob).toString('base64');
}

function refused(detail: string): { kind: 'refused'; detail: string } {
  return { kind: 'refused', detail };
}

export async function checkPublickey<K extends object | true>(
  req: { algorithm: string; blob: Uint8Array; signature: Uint8Array | null },
  ctx: PublickeyContext<K>,
): Promise<PublickeyOutcome<K>> {
  const { algorithm } = req;
  if (!ctx.algorithms.includes(algorithm)) return refused(`algorithm ${algorithm} not accepted`);
  if (req.blob.length > MAX_KEY_BLOB_BYTES) return refused('key blob too large');
  let key: PublicKey;
  try {
    key = parsePublicKey(req.blob);
  } catch (e) {
    return refused(`unusable key: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (hostKeyAlgorithmKeyType(algorithm) !== key.type) {
    return refused(`algorithm ${algorithm} does not fit a ${key.type} key`);
  }
  if (ctx.used.has(blobId(key.blob))) return refused('key already used for authentication');
  const offered: OfferedKey = { algorithm, type: key.type, blob: key.blob.slice(), bits: key.bits };

  if (req.signature === null) {
    const decision = await ctx.policy(ctx.user, offered, false);
    return decision === false || decision === null
      ? refused('key not authorized')
      : { kind: 'pk-ok' };
  }

  if (req.signature.length > MAX_SIGNATURE_BYTES) return refused('signature too large');
  const data = publickeySignedData(ctx.sessionId, ctx.user, algorithm, key.blob);
  let good: boolean;
  try {
    good = key.verify(algorithm, req.signature, data);
  } catch (e) {
    // a malformed blob, or one naming another algorithm than the request
    return refused(`bad signature: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!good) return refused('signature does not verify');
  const value = await ctx.policy(ctx.user, offered, true);
  if (value === false || value === null) return refused('key not authorized');
  return { kind: 'accepted', accepted: { key: offered, value } };
}
