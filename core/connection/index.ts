/**
 * The SSH connection protocol (RFC 4254; break from RFC 4335; OpenSSH PROTOCOL keepalive and
 * hostkeys-00): channels with flow-control windows, global requests, session channels for
 * both roles, keepalive.
 */
export {
  Connection,
  type ChannelOpenAnswer,
  type ChannelParams,
  type ConnectionOptions,
  type GlobalReply,
} from './connection.js';
export { Channel, type ChannelRequestInfo } from './channel.js';
export { MAX_SEND_CHUNK } from './outbound.js';
export { Session, type PtyOptions, type ExitStatus } from './session.js';
export { ServerSession, type RequestAnswer, type SessionRequest } from './server-session.js';
export type { PtyRequest, WindowSize } from './session-requests.js';
export {
  TerminalMode,
  DEFAULT_TERMINAL_MODES,
  encodeTerminalModes,
  decodeTerminalModes,
  type TerminalModeName,
  type TerminalModes,
} from './terminal-modes.js';
export { Window, MAX_WINDOW, DEFAULT_WINDOW, DEFAULT_MAX_PACKET } from './window.js';
export { OpenFailureReason, EXTENDED_DATA_STDERR } from './messages.js';
export { MAX_OUTSTANDING_REQUESTS, type Answer } from './replies.js';
export { ChannelReadable, ChannelWritable } from './streams.js';
export {
  MAX_FORWARD_HOST,
  encodeTcpipOpen,
  decodeTcpipOpen,
  encodeTcpipForward,
  decodeTcpipForward,
  encodeForwardPort,
  decodeForwardPort,
  type TcpipOpen,
  type TcpipForward,
} from './forward-messages.js';
export {
  joinChannelSocket,
  socketErrorText,
  DEFAULT_LINGER_MS,
  type Tunnel,
  type TunnelOptions,
} from './forward-pipe.js';
