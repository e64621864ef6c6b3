/**
 * Typed errors of the ways a connection reaches its server other than a direct TCP connection
 * (ssh(1) -J / ProxyJump, ProxyCommand): which jump host failed, where in the chain, at what
 * stage and why (the underlying error is the `cause`); and a ProxyCommand that could not start
 * or ended before the connection did.
 */
import {
  ConnectionLost,
  DisconnectReason,
  SshError,
  type DisconnectReasonCode,
} from '../errors.js';

/** A jump host as the chain names it. */
export interface HopName {
  readonly host: string;
  readonly port: number;
  readonly user: string;
}

/**
 * Stage at which a jump host failed: `connect` (reaching it, its host key, logging in), `forward`
 * (it refused or could not open the direct-tcpip channel to the next host), `lost` (it went away
 * after the chain was up, e.g. a keepalive timeout).
 */
export type HopStage = 'connect' | 'forward' | 'lost';

export class JumpHostError extends SshError {
  override readonly code: string = 'JUMP_HOST_FAILED';
  override readonly reason: DisconnectReasonCode = DisconnectReason.CONNECTION_LOST;
  /** 1-based position in the chain, the host nearest this client first. */
  readonly position: number;
  readonly hop: HopName;
  readonly stage: HopStage;

  constructor(
    stage: HopStage,
    position: number,
    hop: HopName,
    cause: unknown,
    next?: { readonly host: string; readonly port: number },
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    const what =
      stage === 'forward' && next
        ? `could not open a channel to ${next.host} port ${next.port}: ${why}`
        : stage === 'lost'
          ? `connection lost: ${why}`
          : why;
    super(
      `jump host ${position} (${hop.user}@${hop.host} port ${hop.port}): ${what}`,
      {
        stage,
        position,
        hop: { ...hop },
        ...(next ? { next: { ...next } } : {}),
        cause: cause instanceof SshError ? cause.code : undefined,
      },
      { cause },
    );
    this.position = position;
    this.hop = hop;
    this.stage = stage;
  }
}

/**
 * The ProxyCommand failed: `spawn` (the shell could not be started) or `exited` (it ended before
 * the connection did; `status` is its exit code, `signal` the signal that ended it).
 */
export class ProxyCommandError extends ConnectionLost {
  override readonly code: string = 'PROXY_COMMAND_FAILED';
  readonly kind: 'spawn' | 'exited';
  readonly command: string;
  readonly status: number | null;
  readonly signal: string | null;

  constructor(
    kind: 'spawn' | 'exited',
    command: string,
    ended: { readonly status: number | null; readonly signal: string | null },
    cause?: unknown,
  ) {
    const how =
      kind === 'spawn'
        ? `could not be started${cause instanceof Error ? `: ${cause.message}` : ''}`
        : ended.signal !== null
          ? `was killed by signal ${ended.signal}`
          : `exited with status ${ended.status ?? '?'}`;
    super(
      `ProxyCommand "${command}" ${how}`,
      { kind, command, status: ended.status, signal: ended.signal },
      cause === undefined ? undefined : { cause },
    );
    this.kind = kind;
    this.command = command;
    this.status = ended.status;
    this.signal = ended.signal;
  }
}
