/**
 * The TCP forwarding fields of RFC 4254 §7: the extra data of the direct-tcpip and
 * forwarded-tcpip channel opens, the tcpip-forward / cancel-tcpip-forward global requests, and
 * the port a tcpip-forward for port 0 is answered with.
 *
 *   direct-tcpip (§7.2)       string host to connect ‖ uint32 port to connect ‖
 *                             string originator IP address ‖ uint32 originator port
 *   forwarded-tcpip (§7.2)    string address that was connected ‖ uint32 port that was connected ‖
 *                             string originator IP address ‖ uint32 originator port
 *   tcpip-forward (§7.1)      string address to bind ‖ uint32 port number to bind
 *   cancel-tcpip-forward      the same two fields
 *   REQUEST_SUCCESS (§7.1)    uint32 port that was bound (only when port 0 was asked for)
 *
 * and their Unix-socket forms of OpenSSH PROTOCOL §2.4 ("streamlocal"):
 *
 *   direct-streamlocal@openssh.com     string socket path ‖ string reserved ‖ uint32 reserved
 *   forwarded-streamlocal@openssh.com  string socket path ‖ string reserved
 *   streamlocal-forward@openssh.com    string socket path
 *   cancel-streamlocal-forward@openssh.com   the same field
 *
 * Decoders read the whole field block (trailing bytes are an error) and check that ports fit
 * in 16 bits and names in MAX_FORWARD_HOST characters without NUL; every failure is a
 * ProtocolError naming the message. Both roles use them: the bundled sshd (core/server) and the
 * client's forwards (core/client).
 */
import { ProtocolError } from '../errors.js';
import { SshReader } from '../wire/reader.js';
import { SshWriter } from '../wire/writer.js';

/** Longest host or address we accept in a forwarding message (NI_MAXHOST is 1025). */
export const MAX_FORWARD_HOST = 1024;
/** Longest Unix socket path, in bytes (Linux sun_path is 108 bytes with its NUL). */
export const MAX_SOCKET_PATH = 107;

/** The four fields of a direct-tcpip or forwarded-tcpip open. */
export interface TcpipOpen {
  /** direct-tcpip: where to connect; forwarded-tcpip: the address the listener was asked for. */
  readonly host: string;
  readonly port: number;
  readonly originatorAddress: string;
  readonly originatorPort: number;
}

/** The fields of tcpip-forward and cancel-tcpip-forward. */
export interface TcpipForward {
  /** As the client sent it: "" and "*" mean every address, "localhost" the loopbacks. */
  readonly bindAddress: string;
  readonly port: number;
}

function readHost(r: SshReader, what: string, field: string): string {
  const host = r.readUtf8();
  if (host.length > MAX_FORWARD_HOST) {
    throw new ProtocolError(`${what}: ${field} is longer than ${MAX_FORWARD_HOST} characters`);
  }
  // OpenSSH reads these as C strings: a NUL inside would make them mean something else.
  if (host.includes('\0')) throw new ProtocolError(`${what}: ${field} contains a NUL byte`);
  return host;
}

function readPort(r: SshReader, what: string, field: string): number {
  const port = r.readUint32();
  if (port > 0xffff) throw new ProtocolError(`${what}: ${field} ${port} is not a TCP port`);
  return port;
}

export function encodeTcpipOpen(o: TcpipOpen): Uint8Array {
  return new SshWriter()
    .writeString(o.host)
    .writeUint32(o.port)
    .writeString(o.originatorAddress)
    .writeUint32(o.originatorPort)
    .toBytes();
}

/** `type` is 'direct-tcpip' or 'forwarded-tcpip', for the error messages. */
export function decodeTcpipOpen(extra: Uint8Array, type: string): TcpipOpen {
  const r = new SshReader(extra, type);
  const host = readHost(r, type, 'host');
  const port = readPort(r, type, 'port');
  const originatorAddress = readHost(r, type, 'originator address');
  const originatorPort = readPort(r, type, 'originator port');
  r.expectEnd();
  return { host, port, originatorAddress, originatorPort };
}

export function encodeTcpipForward(f: TcpipForward): Uint8Array {
  return new SshWriter().writeString(f.bindAddress).writeUint32(f.port).toBytes();
}

/** `name` is 'tcpip-forward' or 'cancel-tcpip-forward'. */
export function decodeTcpipForward(data: Uint8Array, name: string): TcpipForward {
  const r = new SshReader(data, name);
  const bindAddress = readHost(r, name, 'bind address');
  const port = readPort(r, name, 'port');
  r.expectEnd();
  return { bindAddress, port };
}

export function encodeForwardPort(port: number): Uint8Array {
  return new SshWriter(4).writeUint32(port).toBytes();
}

/** The port in a tcpip-forward REQUEST_SUCCESS; null when the reply carries none. */
export function decodeForwardPort(data: Uint8Array): number | null {
  if (data.length === 0) return null;
  const r = new SshReader(data, 'tcpip-forward reply');
  const port = readPort(r, 'tcpip-forward reply', 'port');
  r.expectEnd();
  return port;
}

/**
 * direct-streamlocal@openssh.com (OpenSSH PROTOCOL §2.4): the extra data of a channel open to
 * a Unix socket on the server.
 *   string socket path ‖ string reserved ‖ uint32 reserved
 */
export function encodeDirectStreamlocal(path: string): Uint8Array {
  return new SshWriter().writeString(path).writeString('').writeUint32(0).toBytes();
}

export function decodeDirectStreamlocal(extra: Uint8Array): string {
  const what = 'direct-streamlocal@openssh.com';
  const r = new SshReader(extra, what);
  const path = readPath(r, what);
  r.readString();
  r.readUint32();
  r.expectEnd();
  return path;
}

/** A socket path: not empty, no NUL, at most MAX_SOCKET_PATH bytes. */
function readPath(r: SshReader, what: string): string {
  const path = readHost(r, what, 'socket path');
  if (path === '') throw new ProtocolError(`${what}: the socket path is empty`);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
    throw new ProtocolError(`${what}: the socket path is longer than ${MAX_SOCKET_PATH} bytes`);
  }
  return path;
}

/** forwarded-streamlocal@openssh.com: the path the listener was asked for, reserved "". */
export function encodeForwardedStreamlocal(path: string): Uint8Array {
  return new SshWriter().writeString(path).writeString('').toBytes();
}

export function decodeForwardedStreamlocal(extra: Uint8Array): string {
  const what = 'forwarded-streamlocal@openssh.com';
  const r = new SshReader(extra, what);
  const path = readPath(r, what);
  r.readString(); // reserved: OpenSSH ignores it
  r.expectEnd();
  return path;
}

/** streamlocal-forward@openssh.com and cancel-streamlocal-forward@openssh.com. */
export function encodeStreamlocalForward(path: string): Uint8Array {
  return new SshWriter().writeString(path).toBytes();
}

/** `name` is the request's name, for the error messages. */
export function decodeStreamlocalForward(data: Uint8Array, name: string): string {
  const r = new SshReader(data, name);
  const path = readPath(r, name);
  r.expectEnd();
  return path;
}
