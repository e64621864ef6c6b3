/**
 * Typed errors for the whole engine (CONVENTIONS §5).
 *
 * Every error has a stable string `code` so it can cross IPC as {name, code, message, details}
 * and be rebuilt. Disconnect-worthy errors carry the RFC 4253 §11.1 reason code they map to.
 */

/** RFC 4253 §11.1 SSH_MSG_DISCONNECT reason codes. */
export const DisconnectReason = {
  HOST_NOT_ALLOWED_TO_CONNECT: 1,
  PROTOCOL_ERROR: 2,
  KEY_EXCHANGE_FAILED: 3,
  RESERVED: 4,
  MAC_ERROR: 5,
  COMPRESSION_ERROR: 6,
  SERVICE_NOT_AVAILABLE: 7,
  PROTOCOL_VERSION_NOT_SUPPORTED: 8,
  HOST_KEY_NOT_VERIFIABLE: 9,
  CONNECTION_LOST: 10,
  BY_APPLICATION: 11,
  TOO_MANY_CONNECTIONS: 12,
  AUTH_CANCELLED_BY_USER: 13,
  NO_MORE_AUTH_METHODS_AVAILABLE: 14,
  ILLEGAL_USER_NAME: 15,
} as const;
export type DisconnectReasonCode = (typeof DisconnectReason)[keyof typeof DisconnectReason];

export class SshError extends Error {
  readonly code: string = 'SSH_ERROR';
  /** The disconnect reason to send to the peer when this error ends a connection. */
  readonly reason: DisconnectReasonCode = DisconnectReason.PROTOCOL_ERROR;
  readonly details: Record<string, unknown>;

  constructor(message: string, details: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.details = details;
  }
}

/** Malformed or out-of-order input from the peer (or a file in SSH wire format). */
export class ProtocolError extends SshError {
  override readonly code: string = 'PROTOCOL_ERROR';
}

/** The peer's version line is missing, malformed or not SSH-2.0. */
export class VersionError extends SshError {
  override readonly code: string = 'VERSION_ERROR';
  override readonly reason: DisconnectReasonCode = DisconnectReason.PROTOCOL_VERSION_NOT_SUPPORTED;
}

export class KeyExchangeFailed extends SshError {
  override readonly code: string = 'KEY_EXCHANGE_FAILED';
  override readonly reason: DisconnectReasonCode = DisconnectReason.KEY_EXCHANGE_FAILED;
}

/** No algorithm in common for one negotiation category (RFC 4253 §7.1). */
export class AlgorithmNegotiationError extends KeyExchangeFailed {
  override readonly code: string = 'ALGORITHM_NEGOTIATION_FAILED';
  readonly category: string;
  readonly ours: readonly string[];
  readonly theirs: readonly string[];

  constructor(category: string, ours: readonly string[], theirs: readonly string[]) {
    super(
      `no matching ${category} algorithm: we offer [${ours.join(',')}], peer offers [${theirs.join(',')}]`,
      { category, ours: [...ours], theirs: [...theirs] },
    );
    this.category = category;
    this.ours = ours;
    this.theirs = theirs;
  }
}

/** A MAC or AEAD tag did not verify: the stream is corrupt or tampered with. */
export class MacError extends SshError {
  override readonly code: string = 'MAC_ERROR';
  override readonly reason: DisconnectReasonCode = DisconnectReason.MAC_ERROR;
}

/** The server's signature over the exchange hash did not verify with its host key. */
export class HostKeySignatureError extends SshError {
  override readonly code: string = 'HOST_KEY_SIGNATURE_INVALID';
  override readonly reason: DisconnectReasonCode = DisconnectReason.HOST_KEY_NOT_VERIFIABLE;
}

/** The host-key verifier rejected the server's key. */
export class HostKeyRejected extends SshError {
  override readonly code: string = 'HOST_KEY_REJECTED';
  override readonly reason: DisconnectReasonCode = DisconnectReason.HOST_KEY_NOT_VERIFIABLE;
}

/** Configuration given by the user is invalid (an unknown algorithm name, a bad option). */
export class ConfigError extends SshError {
  override readonly code: string = 'CONFIG_ERROR';
  override readonly reason: DisconnectReasonCode = DisconnectReason.BY_APPLICATION;
}

/** The peer sent SSH_MSG_DISCONNECT. */
export class DisconnectedByPeer extends SshError {
  override readonly code: string = 'DISCONNECTED_BY_PEER';
  readonly peerReason: number;
  readonly description: string;

  constructor(peerReason: number, description: string) {
    super(`peer disconnected (reason ${peerReason}): ${description}`, {
      peerReason,
      description,
    });
    this.peerReason = peerReason;
    this.description = description;
  }
}

/** The underlying stream closed or failed before the protocol finished. */
export class ConnectionLost extends SshError {
  override readonly code: string = 'CONNECTION_LOST';
  override readonly reason: DisconnectReasonCode = DisconnectReason.CONNECTION_LOST;
}

/** An operation did not finish in time (connect, handshake). */
export class TimeoutError extends SshError {
  override readonly code: string = 'TIMEOUT';
  override readonly reason: DisconnectReasonCode = DisconnectReason.BY_APPLICATION;
}

/** Key material in a file or blob is malformed or of an unsupported type. */
export class KeyFormatError extends SshError {
  override readonly code: string = 'KEY_FORMAT_ERROR';
}

/** A known key as a HostKeyError reports it: plain data, so it crosses IPC unchanged. */
export interface HostKeyErrorKey {
  /** The known_hosts file and 1-based line it was read from. */
  readonly file: string;
  readonly line: number;
  /** The host field as written on that line (patterns, or a |1|salt|hash). */
  readonly hosts: string;
  readonly type: string;
  /** SHA256:… as ssh-keygen -l prints it. */
  readonly fingerprint: string;
}

/**
 * The server's host key failed the known_hosts check (core/hosts): `unknown` (not recorded and
 * the policy does not add it), `mismatch` (another key is recorded for this host: "REMOTE HOST
 * IDENTIFICATION HAS CHANGED"), or `revoked` (an @revoked line lists it). `known` holds the
 * recorded keys for the host (for `revoked`, the @revoked lines that list the key).
 */
export class HostKeyError extends HostKeyRejected {
  override readonly code: string = 'HOST_KEY_ERROR';
  readonly kind: 'unknown' | 'mismatch' | 'revoked';
  readonly host: string;
  readonly presented: { readonly type: string; readonly fingerprint: string };
  readonly known: readonly HostKeyErrorKey[];

  constructor(
    kind: 'unknown' | 'mismatch' | 'revoked',
    message: string,
    info: {
      host: string;
      presented: { readonly type: string; readonly fingerprint: string };
      known: readonly HostKeyErrorKey[];
    },
  ) {
    super(message, {
      kind,
      host: info.host,
      presented: { ...info.presented },
      known: info.known.map((k) => ({ ...k })),
    });
    this.kind = kind;
    this.host = info.host;
    this.presented = info.presented;
    this.known = info.known;
  }
}

/**
 * The SSH agent (core/agent) could not be used: `unavailable` (no socket, nothing listening,
 * no permission), `refused` (SSH_AGENT_FAILURE), `protocol` (a malformed, unexpected or
 * oversized reply), `timeout`, `closed` (the agent hung up mid-request), `unsupported` (a key
 * or signature the engine cannot use).
 */
export class AgentError extends SshError {
  override readonly code: string = 'AGENT_ERROR';
  override readonly reason: DisconnectReasonCode = DisconnectReason.BY_APPLICATION;
  readonly kind: 'unavailable' | 'refused' | 'protocol' | 'timeout' | 'closed' | 'unsupported';

  constructor(
    kind: 'unavailable' | 'refused' | 'protocol' | 'timeout' | 'closed' | 'unsupported',
    message: string,
    details: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, { kind, ...details }, options);
    this.kind = kind;
  }
}

/**
 * The peer refused to open a channel (RFC 4254 §5.1 SSH_MSG_CHANNEL_OPEN_FAILURE), or we could
 * not open one. `openReason` is the RFC's reason code (1 administratively prohibited, 2 connect
 * failed, 3 unknown channel type, 4 resource shortage); it is not called `reason` because that
 * name is the disconnect reason every SshError carries.
 */
export class ChannelOpenError extends SshError {
  override readonly code: string = 'CHANNEL_OPEN_FAILED';
  readonly channelType: string;
  readonly openReason: number;
  readonly description: string;

  constructor(channelType: string, openReason: number, description: string) {
    super(`channel open (${channelType}) failed: ${description || `reason ${openReason}`}`, {
      channelType,
      openReason,
      description,
    });
    this.channelType = channelType;
    this.openReason = openReason;
    this.description = description;
  }
}

/** The channel closed (or its connection ended) before the operation could finish. */
export class ChannelClosedError extends SshError {
  override readonly code: string = 'CHANNEL_CLOSED';
}

/** The peer answered CHANNEL_FAILURE to a request the session cannot go on without (exec, shell). */
export class ChannelRequestError extends SshError {
  override readonly code: string = 'CHANNEL_REQUEST_FAILED';
  readonly request: string;

  constructor(request: string, message = `${request} request failed on the channel`) {
    super(message, { request });
    this.request = request;
  }
}

/**
 * Keepalive probes went unanswered (ServerAliveInterval × ServerAliveCountMax): the peer is
 * gone. A ConnectionLost, so code that handles lost connections handles this one too.
 */
export class KeepaliveTimeout extends ConnectionLost {
  override readonly code: string = 'KEEPALIVE_TIMEOUT';
}

/** A known_hosts file could not be updated (core/hosts); the file is left as it was. */
export class KnownHostsError extends SshError {
  override readonly code: string = 'KNOWN_HOSTS_ERROR';
  override readonly reason: DisconnectReasonCode = DisconnectReason.BY_APPLICATION;
}

/**
 * A SERVICE_REQUEST or USERAUTH_REQUEST named a service this side does not run (RFC 4253 §10,
 * RFC 4252 §5): the connection ends with SERVICE_NOT_AVAILABLE.
 */
export class ServiceNotAvailable extends ProtocolError {
  override readonly code: string = 'SERVICE_NOT_AVAILABLE';
  override readonly reason: DisconnectReasonCode = DisconnectReason.SERVICE_NOT_AVAILABLE;
}

/** What was wrong with a skipped authorized_keys line (see AuthorizedKeysError). */
export type AuthorizedKeysProblem =
  'option' | 'quote' | 'key-type' | 'base64' | 'key' | 'missing-key' | 'encoding' | 'file';

/**
 * A line of an authorized_keys file (core/server) that is skipped, as sshd(8) logs and ignores
 * one; or (line 0) the file as a whole. `kind`: a bad or repeated `option`, an unterminated
 * `quote`, an unknown or unsupported `key-type`, key data that is not `base64`, a `key` blob
 * that does not parse or names another type, no key at all (`missing-key`), a line that is not
 * UTF-8 (`encoding`), a `file` that cannot be read. Collected for the caller, not thrown, so the
 * other lines still count.
 */
export class AuthorizedKeysError extends SshError {
  override readonly code: string = 'AUTHORIZED_KEYS_ERROR';
  override readonly reason: DisconnectReasonCode = DisconnectReason.BY_APPLICATION;
  readonly kind: AuthorizedKeysProblem;
  readonly file: string;
  /** 1-based; 0 when the problem is the file itself. */
  readonly line: number;
  readonly detail: string;

  constructor(kind: AuthorizedKeysProblem, detail: string, where: { file: string; line: number }) {
    super(`${where.file}${where.line > 0 ? `:${where.line}` : ''}: ${detail}`, {
      kind,
      file: where.file,
      line: where.line,
      detail,
    });
    this.kind = kind;
    this.file = where.file;
    this.line = where.line;
    this.detail = detail;
  }
}

/**
 * The check an OpenSSH certificate failed (PROTOCOL.certkeys; OpenSSH's
 * sshkey_cert_check_authority, check_host_cert, user_cert_trusted_ca).
 */
export type CertificateCheck =
  | 'format'
  | 'type'
  | 'signature'
  | 'not-yet-valid'
  | 'expired'
  | 'no-principals'
  | 'principal'
  | 'ca'
  | 'revoked-ca'
  | 'revoked-key'
  | 'critical-option'
  | 'source-address';

/** A certificate that does not pass a check; `check` says which. */
export class CertificateError extends SshError {
  override readonly code: string = 'CERTIFICATE_INVALID';
  readonly check: CertificateCheck;

  constructor(check: CertificateCheck, message: string, details: Record<string, unknown> = {}) {
    super(message, { check, ...details });
    this.check = check;
  }
}

/** A server's host certificate that was refused; `check` says which check failed. */
export class HostCertificateError extends HostKeyRejected {
  override readonly code: string = 'HOST_CERTIFICATE_REJECTED';
  readonly check: CertificateCheck;
  readonly host: string;

  constructor(
    check: CertificateCheck,
    host: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, { check, host, ...details });
    this.check = check;
    this.host = host;
  }
}
