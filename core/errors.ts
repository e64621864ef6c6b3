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
