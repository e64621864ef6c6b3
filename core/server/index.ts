/**
 * The bundled sshd (DESIGN.md server/): authorized_keys (sshd(8) AUTHORIZED_KEYS FILE FORMAT)
 * — parsing with every option, from= address matching, expiry-time, and the lookup that decides
 * whether an offered key may log in and under which restrictions.
 */
export {
  MAX_AUTHORIZED_KEYS_BYTES,
  OPAQUE_KEY_TYPES,
  parseAuthorizedKeys,
  readAuthorizedKeysFile,
  type AuthorizedKeyEntry,
  type AuthorizedKeysFile,
} from './authorized-keys.js';
export {
  authorizeKey,
  type AuthorizeResult,
  type ConnectionContext,
  type KeyDenial,
  type KeyDenialReason,
  type CandidateKey,
} from './authorize.js';
export {
  defaultKeyOptions,
  MAX_ENVIRONMENT,
  MAX_PERMITS,
  parseKeyOptions,
  quoteOptionValue,
  type AuthorizedKeyOptions,
  type EnvironmentSetting,
  type KeyRestrictions,
  type OptionsParse,
  type PermitHostPort,
} from './key-options.js';
export { parseExpiryTime } from './expiry-time.js';
export {
  addressInNetwork,
  checkAddressPatternList,
  matchAddressList,
  matchHostAndAddress,
  normalizeClientAddress,
  parseCidrPattern,
  parseIpAddress,
  parseIpv4,
  parseIpv6,
  type CidrPattern,
  type IpAddress,
} from './address-match.js';
