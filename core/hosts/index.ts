/**
 * known_hosts (sshd(8) SSH_KNOWN_HOSTS FILE FORMAT): parsing, OpenSSH's matching (hashed names,
 * wildcards, negation, [host]:port, @revoked, @cert-authority kept), atomic appends, and the
 * StrictHostKeyChecking policy as the transport's host-key verifier.
 */
export {
  ENGINE_KEY_TYPES,
  MAX_KNOWN_HOSTS_BYTES,
  OPAQUE_KEY_TYPES,
  parseKnownHosts,
  readKnownHosts,
  type KnownHostsBadLine,
  type KnownHostsEntry,
  type KnownHostsFile,
  type KnownHostsMarker,
} from './known-hosts.js';
export {
  findHost,
  knownKeyTypes,
  lookup,
  lookupIn,
  otherNames,
  type HostKeyLookup,
  type HostKeyStatus,
  type KnownKey,
  type PresentedKey,
} from './lookup.js';
export {
  hashHostName,
  hostFieldMatches,
  isRecordableHost,
  knownHostName,
  asciiLower,
  matchPattern,
  matchPatternList,
} from './patterns.js';
export {
  checkHostKey,
  hostKeyVerifier,
  UNSAFE_AFTER_CHANGED_KEY,
  type HostKeyDecision,
  type HostKeyEvent,
  type HostKeyPolicy,
  type HostKeyPrompt,
  type StrictHostKeyChecking,
} from './verifier.js';
export {
  appendKnownHostsLine,
  formatKnownHostsLine,
  nodeKnownHostsFs,
  type FileInfo,
  type KnownHostsFs,
} from './write.js';
export {
  certificateAlgorithmPreference,
  checkHostCertificate,
  type HostCertificateResult,
} from './host-certificate.js';
