/**
 * SSH message numbers (RFC 4250 §4.1, RFC 4253 §12, RFC 4419, RFC 5656, RFC 8308, RFC 4252,
 * RFC 4254). Wire names kept as in the RFCs.
 */
export const Msg = {
  DISCONNECT: 1,
  IGNORE: 2,
  UNIMPLEMENTED: 3,
  DEBUG: 4,
  SERVICE_REQUEST: 5,
  SERVICE_ACCEPT: 6,
  EXT_INFO: 7,
  NEWCOMPRESS: 8,
  KEXINIT: 20,
  NEWKEYS: 21,
  /** KEXDH_INIT, KEX_ECDH_INIT, KEX_HYBRID_INIT, and KEX_DH_GEX_REQUEST_OLD share 30. */
  KEX_ECDH_INIT: 30,
  /** KEXDH_REPLY, KEX_ECDH_REPLY, KEX_HYBRID_REPLY, and KEX_DH_GEX_GROUP share 31. */
  KEX_ECDH_REPLY: 31,
  KEX_DH_GEX_GROUP: 31,
  KEX_DH_GEX_INIT: 32,
  KEX_DH_GEX_REPLY: 33,
  KEX_DH_GEX_REQUEST: 34,
  USERAUTH_REQUEST: 50,
  USERAUTH_FAILURE: 51,
  USERAUTH_SUCCESS: 52,
  USERAUTH_BANNER: 53,
  /** USERAUTH_PK_OK, USERAUTH_PASSWD_CHANGEREQ and USERAUTH_INFO_REQUEST share 60. */
  USERAUTH_PK_OK: 60,
  USERAUTH_INFO_REQUEST: 60,
  USERAUTH_INFO_RESPONSE: 61,
  GLOBAL_REQUEST: 80,
  REQUEST_SUCCESS: 81,
  REQUEST_FAILURE: 82,
  CHANNEL_OPEN: 90,
  CHANNEL_OPEN_CONFIRMATION: 91,
  CHANNEL_OPEN_FAILURE: 92,
  CHANNEL_WINDOW_ADJUST: 93,
  CHANNEL_DATA: 94,
  CHANNEL_EXTENDED_DATA: 95,
  CHANNEL_EOF: 96,
  CHANNEL_CLOSE: 97,
  CHANNEL_REQUEST: 98,
  CHANNEL_SUCCESS: 99,
  CHANNEL_FAILURE: 100,
} as const;

/** Transport-layer generic messages (RFC 4253 §7.1: allowed at any time, also during KEX). */
export function isTransportGeneric(type: number): boolean {
  return type >= 1 && type <= 4;
}

/** Messages that belong to the key exchange itself (RFC 4250 §4.1.2: 20–49). */
export function isKexMessage(type: number): boolean {
  return type >= 20 && type <= 49;
}
