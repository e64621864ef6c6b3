/**
 * PKCS#11 keys (DESIGN.md keys/, RFC 7512): keys held by smartcards and HSMs, as Signers.
 *
 *   openPkcs11Keys        a pkcs11: URI or a module path → the matching keys, and close()
 *   parsePkcs11Uri / formatPkcs11Uri / isPkcs11Uri
 *   Pkcs11Error and its kinds (module, wrong PIN, locked, removed, key not found), PinCallback
 */
export {
  describePinStatus,
  Pkcs11Error,
  Pkcs11KeyNotFoundError,
  Pkcs11ModuleError,
  Pkcs11PinIncorrectError,
  Pkcs11PinRequiredError,
  Pkcs11TokenLockedError,
  Pkcs11TokenRemovedError,
  Pkcs11UriError,
  redactPin,
  type Pkcs11ErrorKind,
  type PinStatus,
} from './errors.js';
export { openPkcs11Keys, type OpenPkcs11Options, type Pkcs11KeySet } from './key-set.js';
export type { PinCallback, PinPrompt } from './pin.js';
export { Pkcs11Signer } from './signer.js';
export {
  formatPkcs11Uri,
  isPkcs11Uri,
  parsePkcs11Uri,
  PKCS11_URI_MAX_LENGTH,
  type Pkcs11Uri,
  type Pkcs11UriParts,
} from './uri.js';
