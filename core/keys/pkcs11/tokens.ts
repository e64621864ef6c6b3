/**
 * The tokens a PKCS#11 module offers (C_GetSlotList with tokens present, C_GetTokenInfo),
 * and which of them a `pkcs11:` URI selects by its token, manufacturer, serial, model and
 * slot-id attributes (RFC 7512 §2.3; an attribute that is absent matches anything).
 * CK_TOKEN_INFO strings are blank-padded fixed-length fields: compared and shown trimmed.
 */
import type { PinStatus } from './errors.js';
import { pkcs11Failure, type Pkcs11Handle, type Pkcs11Module } from './module.js';
import type { Pkcs11Uri } from './uri.js';

export interface Pkcs11TokenInfo {
  readonly slot: Pkcs11Handle;
  /** The slot ID as a number (RFC 7512 slot-id). */
  readonly slotId: bigint;
  readonly label: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly serial: string;
  readonly flags: number;
}

function trimmed(s: string): string {
  return s.replace(/[\s\0]+$/, '');
}

function slotIdOf(slot: Pkcs11Handle): bigint {
  return slot.length >= 8 ? slot.readBigUInt64LE(0) : BigInt(slot.readUInt32LE(0));
}

export function readTokenInfo(m: Pkcs11Module, slot: Pkcs11Handle): Pkcs11TokenInfo {
  try {
    const t = m.api.C_GetTokenInfo(slot);
    return {
      slot,
      slotId: slotIdOf(slot),
      label: trimmed(t.label),
      manufacturer: trimmed(t.manufacturerID),
      model: trimmed(t.model),
      serial: trimmed(t.serialNumber),
      flags: t.flags,
    };
  } catch (e) {
    throw pkcs11Failure(e, `${m.path}: reading token information`);
  }
}

/** The tokens present, in slot order. */
export function listTokens(m: Pkcs11Module): Pkcs11TokenInfo[] {
  let slots: Pkcs11Handle[];
  try {
    slots = m.api.C_GetSlotList(true);
  } catch (e) {
    throw pkcs11Failure(e, `${m.path}: listing slots`);
  }
  const out: Pkcs11TokenInfo[] = [];
  for (const slot of slots) {
    const info = readTokenInfo(m, slot);
    // an uninitialised token has no keys (SoftHSM keeps a free slot for the next token)
    if ((info.flags & m.lib.CKF_TOKEN_INITIALIZED) !== 0) out.push(info);
  }
  return out;
}

export function tokenMatches(t: Pkcs11TokenInfo, uri: Pkcs11Uri): boolean {
  const p = uri.path;
  if (p.token !== undefined && p.token !== t.label) return false;
  if (p.manufacturer !== undefined && p.manufacturer !== t.manufacturer) return false;
  if (p.serial !== undefined && p.serial !== t.serial) return false;
  if (p.model !== undefined && p.model !== t.model) return false;
  if (p['slot-id'] !== undefined && p['slot-id'] !== t.slotId.toString()) return false;
  return true;
}

export function pinStatus(m: Pkcs11Module, flags: number): PinStatus {
  return {
    countLow: (flags & m.lib.CKF_USER_PIN_COUNT_LOW) !== 0,
    finalTry: (flags & m.lib.CKF_USER_PIN_FINAL_TRY) !== 0,
    locked: (flags & m.lib.CKF_USER_PIN_LOCKED) !== 0,
  };
}
