/**
 * Key-exchange state (CONVENTIONS §3): a discriminated union advanced by the transport.
 * Every in-progress state carries the Exchange it belongs to, which records why it started.
 */
import type { KexClientSession, KexMethod } from '../crypto/kex/types.js';
import type { PublicKey } from '../crypto/hostkey/types.js';
import type { Negotiated } from './kexinit.js';
import type { NewKeys } from './exchange-hash.js';

export type KexReason = 'initial' | 'rekey-local' | 'rekey-peer';

/** What both sides agreed for one exchange, fixed once both KEXINITs are known. */
export interface Exchange {
  readonly reason: KexReason;
  readonly clientKexInit: Uint8Array;
  readonly serverKexInit: Uint8Array;
  readonly negotiated: Negotiated;
  readonly method: KexMethod;
}

export interface GexGroup {
  readonly min: number;
  readonly n: number;
  readonly max: number;
  readonly p: Uint8Array;
  readonly g: Uint8Array;
}

export type KexState =
  | { readonly kind: 'idle' }
  /** We sent KEXINIT (first, or as initiator of a rekey) and wait for the peer's. */
  | { readonly kind: 'awaitingKexInit'; readonly reason: KexReason; readonly ours: Uint8Array }
  // client role
  | { readonly kind: 'awaitingReply'; readonly x: Exchange; readonly session: KexClientSession }
  | { readonly kind: 'awaitingGexGroup'; readonly x: Exchange }
  | {
      readonly kind: 'awaitingGexReply';
      readonly x: Exchange;
      readonly session: KexClientSession;
      readonly group: GexGroup;
    }
  | {
      readonly kind: 'verifyingHostKey';
      readonly x: Exchange;
      readonly keys: NewKeys;
      readonly hostKey: PublicKey;
    }
  // server role
  | { readonly kind: 'awaitingInit'; readonly x: Exchange }
  | { readonly kind: 'awaitingGexRequest'; readonly x: Exchange }
  | { readonly kind: 'awaitingGexInit'; readonly x: Exchange; readonly group: GexGroup }
  // both: our NEWKEYS is sent, the peer's is awaited
  | {
      readonly kind: 'awaitingNewKeys';
      readonly x: Exchange;
      readonly inbound: NewKeys['inbound'];
    };
