/**
 * Public keys read from a token, as SSH public keys: CKO_PUBLIC_KEY objects of type CKK_RSA
 * (CKA_MODULUS, CKA_PUBLIC_EXPONENT → ssh-rsa, RFC 4253 §6.6) and CKK_EC (CKA_EC_PARAMS, the
 * curve's DER OID; CKA_EC_POINT, a DER OCTET STRING holding the uncompressed point, or the bare
 * point as some tokens give it → ecdsa-sha2-nistp256/384/521, RFC 5656 §3.1). PKCS#11 v2.40
 * §2.3 (RSA) and §2.3.3 (EC) name the attributes. Objects are matched by the URI's id, object
 * (CKA_LABEL) and type. Keys of other types or curves are skipped and reported, not fatal.
 * No login is needed: public objects are readable in a plain session.
 */
import { nistCurves, type NistCurve } from '../../crypto/ec.js';
import { ecdsaBlob } from '../../crypto/hostkey/ecdsa.js';
import { parsePublicKey } from '../../crypto/hostkey/parse.js';
import { rsaBlob } from '../../crypto/hostkey/rsa.js';
import type { PublicKey } from '../../crypto/hostkey/types.js';
import { toHex } from '../../wire/bytes.js';
import { pkcs11Failure, rvOf, type Pkcs11Handle, type Pkcs11Module } from './module.js';
import type { Pkcs11Uri } from './uri.js';

/** At most this many objects are read from one token. */
export const MAX_TOKEN_OBJECTS = 256;

/** DER-encoded OBJECT IDENTIFIERs of the curves (RFC 5480 §2.1.1.1), as hex. */
const curveByOid: ReadonlyMap<string, NistCurve> = new Map([
  ['06082a8648ce3d030107', nistCurves.nistp256],
  ['06052b81040022', nistCurves.nistp384],
  ['06052b81040023', nistCurves.nistp521],
]);

export interface TokenPublicKey {
  readonly publicKey: PublicKey;
  /** CKA_ID (may be empty). */
  readonly id: Uint8Array;
  /** CKA_LABEL (may be empty). */
  readonly label: string;
  /** The curve, for ECDSA keys. */
  readonly curve: NistCurve | undefined;
}

/** The point inside CKA_EC_POINT: DER OCTET STRING (short or long length) or the bare point. */
function ecPoint(raw: Uint8Array, c: NistCurve): Uint8Array | undefined {
  const bare = 1 + 2 * c.fieldBytes;
  if (raw.length === bare && raw[0] === 0x04) return raw;
  if (raw[0] !== 0x04 || raw.length < 2) return undefined;
  let len = raw[1] ?? 0;
  let off = 2;
  if (len === 0x81) {
    len = raw[2] ?? 0;
    off = 3;
  } else if (len > 0x80) {
    return undefined;
  }
  return off + len === raw.length && len === bare ? raw.subarray(off) : undefined;
}

function bytesOf(v: unknown): Uint8Array {
  return v instanceof Uint8Array ? new Uint8Array(v) : new Uint8Array(0);
}

/** Finds objects of a class matching the template; bounded by MAX_TOKEN_OBJECTS. */
export function findObjects(
  m: Pkcs11Module,
  session: Pkcs11Handle,
  template: { type: number; value: number | Buffer | string }[],
): Pkcs11Handle[] {
  try {
    m.api.C_FindObjectsInit(session, template);
    try {
      const out: Pkcs11Handle[] = [];
      while (out.length < MAX_TOKEN_OBJECTS) {
        const batch = m.api.C_FindObjects(session, 32);
        if (batch.length === 0) break;
        out.push(...batch.slice(0, MAX_TOKEN_OBJECTS - out.length));
      }
      return out;
    } finally {
      m.api.C_FindObjectsFinal(session);
    }
  } catch (e) {
    throw pkcs11Failure(e, `${m.path}: searching the token`);
  }
}

/** The search template for a URI's id, object and class. */
export function objectTemplate(
  m: Pkcs11Module,
  cls: number,
  uri: Pkcs11Uri | undefined,
): { type: number; value: number | Buffer | string }[] {
  const t: { type: number; value: number | Buffer | string }[] = [
    { type: m.lib.CKA_CLASS, value: cls },
  ];
  if (uri?.id !== undefined) t.push({ type: m.lib.CKA_ID, value: Buffer.from(uri.id) });
  if (uri?.path.object !== undefined) t.push({ type: m.lib.CKA_LABEL, value: uri.path.object });
  return t;
}

/**
 * The token's RSA and EC public keys that `uri` selects (all when undefined). `skip` hears
 * about objects that are not usable as SSH keys.
 */
export function readPublicKeys(
  m: Pkcs11Module,
  session: Pkcs11Handle,
  uri: Pkcs11Uri | undefined,
  skip: (message: string) => void,
): TokenPublicKey[] {
  const L = m.lib;
  if (uri?.type !== undefined && uri.type !== 'public' && uri.type !== 'private') return [];
  const out: TokenPublicKey[] = [];
  for (const h of findObjects(m, session, objectTemplate(m, L.CKO_PUBLIC_KEY, uri))) {
    let attrs;
    try {
      attrs = m.api.C_GetAttributeValue(session, h, [
        { type: L.CKA_KEY_TYPE },
        { type: L.CKA_ID },
        { type: L.CKA_LABEL },
      ]);
    } catch (e) {
      throw pkcs11Failure(e, `${m.path}: reading a key`);
    }
    const keyType = bytesOf(attrs[0]?.value);
    const kt = keyType.length >= 4 ? Buffer.from(keyType).readUInt32LE(0) : -1;
    const id = bytesOf(attrs[1]?.value);
    const label = Buffer.from(bytesOf(attrs[2]?.value)).toString('utf8');
    const name = `key ${label !== '' ? `"${label}"` : `id ${toHex(id)}`}`;
    try {
      if (kt === L.CKK_RSA) {
        const [n, e] = m.api.C_GetAttributeValue(session, h, [
          { type: L.CKA_MODULUS },
          { type: L.CKA_PUBLIC_EXPONENT },
        ]);
        const publicKey = parsePublicKey(rsaBlob(bytesOf(e?.value), bytesOf(n?.value)));
        out.push({ publicKey, id, label, curve: undefined });
      } else if (kt === L.CKK_EC) {
        const [params, point] = m.api.C_GetAttributeValue(session, h, [
          { type: L.CKA_EC_PARAMS },
          { type: L.CKA_EC_POINT },
        ]);
        const curve = curveByOid.get(toHex(bytesOf(params?.value)));
        if (curve === undefined) {
          skip(`${name}: elliptic curve not supported by SSH`);
          continue;
        }
        const q = ecPoint(bytesOf(point?.value), curve);
        if (q === undefined) {
          skip(`${name}: malformed CKA_EC_POINT`);
          continue;
        }
        out.push({ publicKey: parsePublicKey(ecdsaBlob(curve, q)), id, label, curve });
      } else {
        skip(`${name}: key type not supported by SSH`);
      }
    } catch (e) {
      if (rvOf(e) !== undefined) {
        throw pkcs11Failure(e, `${m.path}: reading ${name}`);
      }
      skip(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return out;
}
