/**
 * PKCS#11 keys among the identities (ssh(1) PKCS11Provider, and IdentityFile / -i given as a
 * `pkcs11:` URI, RFC 7512): each key of each matching token becomes a key candidate. The PIN
 * is asked for only when the server would accept a token key, once per token. A token that
 * cannot be opened, or whose PIN is wrong, cancelled or locked, is reported in one
 * `Load key "…": why` line and its keys are skipped, as ssh goes on with the next key; a
 * wrong PIN is never tried again. close() ends the sessions and finalises the modules.
 */
import type { KeyCandidate } from '../auth/client.js';
import { SshError } from '../errors.js';
import {
  isPkcs11Uri,
  openPkcs11Keys,
  redactPin,
  type Pkcs11KeySet,
  type Pkcs11Signer,
  type PinCallback,
} from '../keys/index.js';
import type { PublicKey } from '../crypto/hostkey/types.js';

export interface TokenIdentities {
  /** (source, public key) of every token key, in order. */
  readonly entries: readonly { path: string; key: PublicKey }[];
  /** The candidate for a token key's source, or undefined when it is not a token key. */
  candidate(source: string): KeyCandidate | undefined;
  close(): void;
}

function tokenCandidate(k: Pkcs11Signer, warn: (message: string) => void): KeyCandidate {
  return {
    publicKey: k.publicKey,
    algorithms: k.algorithms,
    source: k.source,
    signer: async () => {
      try {
        await k.unlock();
        return k;
      } catch (e) {
        if (!(e instanceof SshError)) throw e;
        // the failed login is remembered by the token: its other keys say so too, untried
        warn(`Load key "${k.source}": ${e.message}`);
        return null;
      }
    },
  };
}

export function openTokenIdentities(o: {
  readonly files: readonly string[];
  readonly pkcs11Provider?: string;
  readonly pin?: PinCallback;
  readonly warn: (message: string) => void;
}): TokenIdentities {
  // URIs first: a key they name keeps its URI's PIN, the provider's copy of it is dropped
  const specs = [
    ...o.files.filter(isPkcs11Uri),
    ...(o.pkcs11Provider !== undefined && o.pkcs11Provider !== '' ? [o.pkcs11Provider] : []),
  ];
  const sets: Pkcs11KeySet[] = [];
  const bySource = new Map<string, KeyCandidate>();
  const entries: { path: string; key: PublicKey }[] = [];
  for (const spec of specs) {
    let set: Pkcs11KeySet;
    try {
      set = openPkcs11Keys(spec, {
        ...(o.pkcs11Provider ? { provider: o.pkcs11Provider } : {}),
        ...(o.pin ? { askPin: o.pin } : {}),
        warn: (m) => o.warn(`${redactPin(spec)}: ${m}`),
      });
    } catch (e) {
      if (!(e instanceof SshError)) throw e;
      o.warn(`Load key "${redactPin(spec)}": ${e.message}`);
      continue;
    }
    sets.push(set);
    for (const k of set.keys) {
      if (bySource.has(k.source)) continue;
      bySource.set(k.source, tokenCandidate(k, o.warn));
      entries.push({ path: k.source, key: k.publicKey });
    }
  }
  return {
    entries,
    candidate: (source) => bySource.get(source),
    close: () => {
      for (const s of sets) s.close();
    },
  };
}
