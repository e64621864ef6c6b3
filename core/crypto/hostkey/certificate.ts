/**
 * OpenSSH certificates (OpenSSH PROTOCOL.certkeys): parsing and encoding of
 * ssh-ed25519-cert-v01@openssh.com, ecdsa-sha2-nistp256/384/521-cert-v01@openssh.com and
 * ssh-rsa-cert-v01@openssh.com blobs, and the CA signature check.
 *
 *   string  "<plain type>-cert-v01@openssh.com"
 *   string  nonce
 *   ...     the plain key's fields (ed25519: string pk; ecdsa: string curve, string Q;
 *           rsa: mpint e, mpint n)
 *   uint64  serial
 *   uint32  type (1 user, 2 host)
 *   string  key id
 *   string  valid principals   (a sequence of strings)
 *   uint64  valid after        (seconds since the epoch; 0 and 2^64-1 mean no bound)
 *   uint64  valid before
 *   string  critical options   (a sequence of string name ‖ string data)
 *   string  extensions         (same)
 *   string  reserved
 *   string  signature key      (a plain public key blob: a CA may not be a certificate)
 *   string  signature          (by the signature key, over every byte before this field)
 *
 * A certificate parses to a PublicKey whose type and blob are the certificate's; verify()
 * checks signatures made by the certified key, which name the plain algorithm
 * (rsa-sha2-512 for rsa-sha2-512-cert-v01@openssh.com). Parsing is bounded like OpenSSH's
 * cert_parse (at most 256 principals; every length checked against the blob) and does not
 * verify the CA signature: verifyCertificateSignature() does, so that callers can say which
 * check failed. Malformed framing is a ProtocolError, field values that make no certificate
 * a KeyFormatError.
 */
import { KeyFormatError, ProtocolError } from '../../errors.js';
import { decodeUtf8 } from '../../wire/bytes.js';
import { SshReader } from '../../wire/reader.js';
import { SshWriter } from '../../wire/writer.js';
import {
  CERT_SUFFIX,
  hostKeyAlgorithmKeyType,
  plainName,
  supportedHostKeyAlgorithms,
} from './algorithms.js';
import type { PublicKey } from './types.js';

export type CertificateType = 'user' | 'host';

/** SSH2_CERT_TYPE_USER / SSH2_CERT_TYPE_HOST. */
export const CERT_TYPE_CODE: Readonly<Record<CertificateType, number>> = { user: 1, host: 2 };

/** SSHKEY_CERT_MAX_PRINCIPALS. */
export const MAX_CERT_PRINCIPALS = 256;
/** Critical options or extensions per certificate (OpenSSH has no own limit; 256 is ample). */
export const MAX_CERT_OPTIONS = 256;

/** No bound: valid before 2^64-1 (ssh-keygen's "forever"). */
export const CERT_FOREVER = 0xffff_ffff_ffff_ffffn;

/** CASignatureAlgorithms' default (ssh_config(5), sshd_config(5)): no SHA-1. */
export const DEFAULT_CA_SIGNATURE_ALGORITHMS: readonly string[] = supportedHostKeyAlgorithms();

/** A critical option or an extension: its name, raw data, and the data as text if it is one string. */
export interface CertificateOption {
  readonly name: string;
  readonly data: Uint8Array;
  /** force-command / source-address carry one string; flag extensions carry none. */
  readonly value: string | undefined;
}

/** What a certificate says about its key, shared by parsed and new certificates. */
export interface CertificateTerms {
  readonly nonce: Uint8Array;
  readonly serial: bigint;
  readonly certType: CertificateType;
  readonly keyId: string;
  /** Empty: OpenSSH refuses it where a principal is required. */
  readonly principals: readonly string[];
  /** Seconds since the epoch. */
  readonly validAfter: bigint;
  readonly validBefore: bigint;
}

export interface Certificate extends CertificateTerms {
  /** The certificate key type: ssh-ed25519-cert-v01@openssh.com, … */
  readonly type: string;
  /** The certified key (plain type and blob). */
  readonly key: PublicKey;
  readonly criticalOptions: readonly CertificateOption[];
  readonly extensions: readonly CertificateOption[];
  readonly reserved: Uint8Array;
  /** The CA key that signed it. */
  readonly signatureKey: PublicKey;
  /** The signature blob (string algorithm ‖ string signature). */
  readonly signature: Uint8Array;
  /** The algorithm named in the signature blob: rsa-sha2-512, ssh-ed25519, … */
  readonly signatureAlgorithm: string;
  /** The bytes the CA signed: the whole blob up to the signature field. */
  readonly signedData: Uint8Array;
}

/** Parses a plain public key blob; certificate.ts may not nest certificates. */
export type PlainKeyParser = (blob: Uint8Array) => PublicKey;

function cstring(r: SshReader, what: string): string {
  const text = decodeUtf8(r.readString());
  if (text === null || text.includes('\0')) {
    throw new KeyFormatError(`certificate ${what} is not a valid string`);
  }
  return text;
}

function parseOptions(bytes: Uint8Array, what: string): CertificateOption[] {
  const r = new SshReader(bytes, `certificate ${what}`);
  const out: CertificateOption[] = [];
  while (r.remaining > 0) {
    if (out.length >= MAX_CERT_OPTIONS) {
      throw new KeyFormatError(`certificate has more than ${MAX_CERT_OPTIONS} ${what}`);
    }
    const name = cstring(r, `${what} name`);
    const data = r.readString().slice();
    let value: string | undefined;
    if (data.length > 0) {
      try {
        const inner = new SshReader(data, 'option data');
        const v = decodeUtf8(inner.readString());
        inner.expectEnd();
        value = v ?? undefined;
      } catch {
        value = undefined; // opaque data: kept as bytes
      }
    }
    out.push({ name, data, value });
  }
  return out;
}

function parsePrincipals(bytes: Uint8Array): string[] {
  const r = new SshReader(bytes, 'certificate principals');
  const out: string[] = [];
  while (r.remaining > 0) {
    if (out.length >= MAX_CERT_PRINCIPALS) {
      throw new KeyFormatError(`certificate has more than ${MAX_CERT_PRINCIPALS} principals`);
    }
    out.push(cstring(r, 'principal'));
  }
  return out;
}

/**
 * Skips the plain key's fields (after the nonce) and returns them, so that the plain blob can
 * be rebuilt and parsed by the plain parser.
 */
function keyFields(plain: string, r: SshReader, blob: Uint8Array): Uint8Array {
  const start = r.offset;
  const strings = plain === 'ssh-ed25519' ? 1 : plain.startsWith('ecdsa-sha2-') ? 2 : 0;
  if (strings > 0) for (let i = 0; i < strings; i++) r.readString();
  else if (plain === 'ssh-rsa') for (let i = 0; i < 2; i++) r.readMpintBytes();
  else throw new KeyFormatError(`unsupported public key type "${plain}${CERT_SUFFIX}"`);
  return blob.subarray(start, r.offset);
}

/**
 * Parses a certificate blob whose type has been read by the caller (parsePublicKey), with
 * `plainParser` for the certified key and the CA key. Does not verify the CA signature.
 */
export function parseCertificate(blob: Uint8Array, plainParser: PlainKeyParser): Certificate {
  const r = new SshReader(blob, 'certificate blob');
  const type = r.readAscii();
  if (!type.endsWith(CERT_SUFFIX) || hostKeyAlgorithmKeyType(type) !== type) {
    throw new KeyFormatError(`unsupported public key type "${type}"`, { type });
  }
  const plain = plainName(type);
  const nonce = r.readString().slice();
  const fields = keyFields(plain, r, blob);
  const key = plainParser(
    new SshWriter(fields.length + 32).writeString(plain).writeBytes(fields).toBytes(),
  );
  const serial = r.readUint64();
  const typeCode = r.readUint32();
  const keyId = cstring(r, 'key id');
  const principalBytes = r.readString();
  const validAfter = r.readUint64();
  const validBefore = r.readUint64();
  const critical = r.readString();
  const extensions = r.readString();
  const reserved = r.readString().slice();
  const caBlob = r.readString().slice();
  const signedLength = r.offset;
  const signature = r.readString().slice();
  r.expectEnd();
  const certType = typeCode === 1 ? 'user' : typeCode === 2 ? 'host' : undefined;
  if (certType === undefined) {
    throw new KeyFormatError(`certificate type ${typeCode} is neither user (1) nor host (2)`);
  }
  let signatureKey: PublicKey;
  try {
    signatureKey = plainParser(caBlob);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new KeyFormatError(`certificate signature key is unusable: ${why}`, {}, { cause: e });
  }
  const sr = new SshReader(signature, 'certificate signature');
  const signatureAlgorithm = sr.readAscii();
  sr.readString();
  sr.expectEnd();
  return {
    type,
    nonce,
    key,
    serial,
    certType,
    keyId,
    principals: parsePrincipals(principalBytes),
    validAfter,
    validBefore,
    criticalOptions: parseOptions(critical, 'critical options'),
    extensions: parseOptions(extensions, 'extensions'),
    reserved,
    signatureKey,
    signature,
    signatureAlgorithm,
    signedData: blob.slice(0, signedLength),
  };
}

/**
 * The certificate as a PublicKey: type and blob are the certificate's; verify() takes the
 * certificate algorithm (…-cert-v01@openssh.com) and checks the certified key's signature,
 * whose blob names the plain algorithm.
 */
export function certificatePublicKey(cert: Certificate, blob: Uint8Array): PublicKey {
  const own = blob.slice();
  return {
    type: cert.type,
    blob: own,
    bits: cert.key.bits,
    certificate: cert,
    verify(algorithm, signatureBlob, data) {
      if (hostKeyAlgorithmKeyType(algorithm) !== cert.type) {
        throw new ProtocolError(
          `signature algorithm ${algorithm} does not fit a ${cert.type} key`,
          {
            algorithm,
            keyType: cert.type,
          },
        );
      }
      return cert.key.verify(plainName(algorithm), signatureBlob, data);
    },
  };
}

/**
 * Whether the CA's signature over the certificate verifies, with a signature algorithm from
 * `allowed` (CASignatureAlgorithms). A malformed signature blob is a bad signature here.
 */
export function verifyCertificateSignature(
  cert: Certificate,
  allowed: readonly string[] = DEFAULT_CA_SIGNATURE_ALGORITHMS,
): boolean {
  if (!allowed.includes(cert.signatureAlgorithm)) return false;
  try {
    return cert.signatureKey.verify(cert.signatureAlgorithm, cert.signature, cert.signedData);
  } catch {
    return false;
  }
}

/** What a new certificate says; encodeCertificate lays it out. */
export interface CertificateFields extends CertificateTerms {
  /** The plain public key blob to certify. */
  readonly key: Uint8Array;
  /** In the order given (PROTOCOL.certkeys wants them sorted by name). */
  readonly criticalOptions: readonly { readonly name: string; readonly data: Uint8Array }[];
  readonly extensions: readonly { readonly name: string; readonly data: Uint8Array }[];
  /** The CA's plain public key blob. */
  readonly signatureKey: Uint8Array;
}

/** An option's data holding one string (force-command, source-address). */
export function optionString(value: string): Uint8Array {
  return new SshWriter(value.length + 8).writeString(value).toBytes();
}

function packOptions(list: CertificateFields['criticalOptions']): Uint8Array {
  const w = new SshWriter();
  for (const o of list) w.writeString(o.name).writeString(o.data);
  return w.toBytes();
}

/**
 * Encodes a certificate; `sign` gets the bytes to sign and returns the CA's signature blob.
 * The certificate type follows the key blob's type.
 */
export function encodeCertificate(
  f: CertificateFields,
  sign: (data: Uint8Array) => Uint8Array,
): Uint8Array {
  const kr = new SshReader(f.key, 'public key blob');
  const plain = kr.readAscii();
  const fields = kr.readRest();
  const principals = new SshWriter();
  for (const p of f.principals) principals.writeString(p);
  const body = new SshWriter(f.key.length + f.signatureKey.length + 256)
    .writeString(plain + CERT_SUFFIX)
    .writeString(f.nonce)
    .writeBytes(fields)
    .writeUint64(f.serial)
    .writeUint32(CERT_TYPE_CODE[f.certType])
    .writeString(f.keyId)
    .writeString(principals.toBytes())
    .writeUint64(f.validAfter)
    .writeUint64(f.validBefore)
    .writeString(packOptions(f.criticalOptions))
    .writeString(packOptions(f.extensions))
    .writeString(new Uint8Array(0))
    .writeString(f.signatureKey)
    .toBytes();
  return new SshWriter(body.length + 600).writeBytes(body).writeString(sign(body)).toBytes();
}
