/**
 * The server side of SOCKS for dynamic forwarding (ssh -D, and -R with no target), sans-IO:
 * bytes from the SOCKS client go in (feed), the bytes to answer with and the CONNECT request
 * come out. Versions: SOCKS4 (the protocol note "SOCKS: A protocol for TCP proxy across
 * firewalls"), SOCKS4a (its host-name extension) and SOCKS5 (RFC 1928) with the "no
 * authentication required" method only, as OpenSSH's ssh serves them.
 *
 * - CONNECT only. SOCKS4 BIND is answered 91 (rejected), SOCKS5 BIND and UDP ASSOCIATE 07
 *   (command not supported), an unknown SOCKS5 address type 08; a SOCKS5 client that offers no
 *   "no authentication" method gets method FF. Each refusal is a SocksError with its reply.
 * - Host names are passed on unresolved: the far side of the tunnel resolves them.
 * - Bounded: a request may be at most MAX_SOCKS_REQUEST bytes (SOCKS4 user id and 4a host at
 *   most 255 bytes each); a client that sends more before its request is complete is refused.
 *   Bytes after a complete request are handed back (`rest`) for the tunnel.
 */
import { SshError } from '../errors.js';

/** The most bytes a client may send before its request is complete. */
export const MAX_SOCKS_REQUEST = 1024;
const MAX_SOCKS4_FIELD = 255;

/** RFC 1928 §6 reply codes. */
export const Socks5Reply = {
  SUCCEEDED: 0x00,
  GENERAL_FAILURE: 0x01,
  NOT_ALLOWED: 0x02,
  NETWORK_UNREACHABLE: 0x03,
  HOST_UNREACHABLE: 0x04,
  CONNECTION_REFUSED: 0x05,
  COMMAND_NOT_SUPPORTED: 0x07,
  ADDRESS_TYPE_NOT_SUPPORTED: 0x08,
} as const;

/** SOCKS4 reply codes (CD). */
export const Socks4Reply = { GRANTED: 90, REJECTED: 91 } as const;

/** A SOCKS client's bad or unsupported request. */
export class SocksError extends SshError {
  override readonly code: string = 'SOCKS_ERROR';
}

export type SocksVersion = '4' | '4a' | '5';

export interface SocksRequest {
  readonly version: SocksVersion;
  /** An IPv4 or IPv6 address in text, or a host name to resolve on the far side. */
  readonly host: string;
  readonly port: number;
}

export interface SocksStep {
  /** Bytes to send to the client now (SOCKS5 method selection, or a refusal's reply). */
  readonly send: Uint8Array[];
  /** The complete request, with the bytes that came after it. */
  readonly request?: Parsed;
  /** The client is refused: send `send`, then close. */
  readonly error?: SocksError;
}

type Stage = 'version' | 'socks5-request' | 'done';
type Parsed = { readonly request: SocksRequest; readonly rest: Uint8Array };

const ipv4 = (b: Uint8Array, at: number): string =>
  `${b[at] ?? 0}.${b[at + 1] ?? 0}.${b[at + 2] ?? 0}.${b[at + 3] ?? 0}`;

function ipv6(b: Uint8Array, at: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) {
    groups.push((((b[at + 2 * i] ?? 0) << 8) | (b[at + 2 * i + 1] ?? 0)).toString(16));
  }
  return groups.join(':');
}

/** The reply to a SOCKS request: success, or the version's failure code. */
export function socksReply(version: SocksVersion, ok: boolean, socks5Code?: number): Uint8Array {
  if (version === '5') {
    const code = ok ? Socks5Reply.SUCCEEDED : (socks5Code ?? Socks5Reply.GENERAL_FAILURE);
    // VER REP RSV ATYP=IPv4 BND.ADDR=0.0.0.0 BND.PORT=0
    return Uint8Array.of(5, code, 0, 1, 0, 0, 0, 0, 0, 0);
  }
  // VN=0 CD DSTPORT DSTIP (ignored by clients)
  return Uint8Array.of(0, ok ? Socks4Reply.GRANTED : Socks4Reply.REJECTED, 0, 0, 0, 0, 0, 0);
}

/** One client's negotiation, fed the bytes as they come. */
export class SocksNegotiation {
  private buf = new Uint8Array(0);
  private total = 0;
  private stage: Stage = 'version';

  get finished(): boolean {
    return this.stage === 'done';
  }

  feed(chunk: Uint8Array): SocksStep {
    if (this.stage === 'done') throw new SocksError('SOCKS negotiation already finished');
    this.total += chunk.length;
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf);
    joined.set(chunk, this.buf.length);
    this.buf = joined;
    const send: Uint8Array[] = [];
    for (;;) {
      const r = this.stage === 'version' ? this.greeting(send) : this.socks5Request();
      if (r === 'more') break;
      if (r === 'again') continue;
      this.stage = 'done';
      if (r instanceof SocksError) {
        return { send: this.refusal ? [...send, this.refusal] : send, error: r };
      }
      return { send, request: r };
    }
    if (this.total > MAX_SOCKS_REQUEST) {
      this.stage = 'done';
      const error = new SocksError(`SOCKS request longer than ${MAX_SOCKS_REQUEST} bytes`);
      return { send, error };
    }
    return { send };
  }

  /** The reply a refusal sends, if its version has one. */
  private refusal: Uint8Array | null = null;

  private refuse(message: string, reply: Uint8Array | null): SocksError {
    this.refusal = reply;
    return new SocksError(message);
  }

  private consume(n: number): void {
    this.buf = this.buf.subarray(n);
  }

  private greeting(send: Uint8Array[]): 'more' | 'again' | SocksError | Parsed {
    const b = this.buf;
    if (b.length < 1) return 'more';
    if (b[0] === 4) return this.socks4();
    if (b[0] !== 5) return this.refuse(`not a SOCKS4 or SOCKS5 request (first byte ${b[0]})`, null);
    // VER NMETHODS METHODS...
    if (b.length < 2) return 'more';
    const n = b[1] ?? 0;
    if (b.length < 2 + n) return 'more';
    const methods = b.subarray(2, 2 + n);
    this.consume(2 + n);
    if (!methods.includes(0)) {
      return this.refuse(
        'SOCKS5 client offers no "no authentication" method',
        Uint8Array.of(5, 0xff),
      );
    }
    send.push(Uint8Array.of(5, 0));
    this.stage = 'socks5-request';
    return 'again';
  }

  private socks4(): 'more' | SocksError | Parsed {
    const b = this.buf;
    // VN CD DSTPORT(2) DSTIP(4) USERID NUL [HOST NUL]
    if (b.length < 9) return 'more';
    const rejected = socksReply('4', false);
    const userEnd = b.indexOf(0, 8);
    if (userEnd < 0) {
      return b.length - 8 > MAX_SOCKS4_FIELD
        ? this.refuse(`SOCKS4 user id longer than ${MAX_SOCKS4_FIELD} bytes`, rejected)
        : 'more';
    }
    if (userEnd - 8 > MAX_SOCKS4_FIELD) {
      return this.refuse(`SOCKS4 user id longer than ${MAX_SOCKS4_FIELD} bytes`, rejected);
    }
    const port = ((b[2] ?? 0) << 8) | (b[3] ?? 0);
    const is4a = b[4] === 0 && b[5] === 0 && b[6] === 0 && b[7] !== 0;
    let host = ipv4(b, 4);
    let end = userEnd + 1;
    if (is4a) {
      const hostEnd = b.indexOf(0, end);
      if (hostEnd < 0) {
        return b.length - end > MAX_SOCKS4_FIELD
          ? this.refuse(`SOCKS4a host name longer than ${MAX_SOCKS4_FIELD} bytes`, rejected)
          : 'more';
      }
      if (hostEnd - end > MAX_SOCKS4_FIELD || hostEnd === end) {
        return this.refuse('SOCKS4a host name is empty or too long', rejected);
      }
      host = Buffer.from(b.subarray(end, hostEnd)).toString('latin1');
      end = hostEnd + 1;
    }
    const version: SocksVersion = is4a ? '4a' : '4';
    if (b[1] !== 1) return this.refuse(`SOCKS4 command ${b[1]} is not CONNECT`, rejected);
    if (port === 0) return this.refuse('SOCKS4 request for port 0', rejected);
    return { request: { version, host, port }, rest: b.slice(end) };
  }

  private socks5Request(): 'more' | SocksError | Parsed {
    const b = this.buf;
    // VER CMD RSV ATYP DST.ADDR DST.PORT(2)
    if (b.length < 5) return 'more';
    const fail = (code: number): Uint8Array => socksReply('5', false, code);
    if (b[0] !== 5) {
      return this.refuse(`SOCKS5 request with version ${b[0]}`, fail(Socks5Reply.GENERAL_FAILURE));
    }
    const atyp = b[3];
    let addrLen: number;
    let addrAt = 4;
    if (atyp === 1) addrLen = 4;
    else if (atyp === 4) addrLen = 16;
    else if (atyp === 3) {
      addrLen = b[4] ?? 0;
      addrAt = 5;
      if (addrLen === 0) {
        return this.refuse(
          'SOCKS5 request with an empty host name',
          fail(Socks5Reply.GENERAL_FAILURE),
        );
      }
    } else {
      return this.refuse(
        `SOCKS5 address type ${atyp} is not supported`,
        fail(Socks5Reply.ADDRESS_TYPE_NOT_SUPPORTED),
      );
    }
    const end = addrAt + addrLen + 2;
    if (b.length < end) return 'more';
    if (b[1] !== 1) {
      return this.refuse(
        `SOCKS5 command ${b[1]} is not CONNECT`,
        fail(Socks5Reply.COMMAND_NOT_SUPPORTED),
      );
    }
    let host: string;
    if (atyp === 1) host = ipv4(b, addrAt);
    else if (atyp === 4) host = ipv6(b, addrAt);
    else {
      const name = b.subarray(addrAt, addrAt + addrLen);
      if (name.includes(0)) {
        return this.refuse(
          'SOCKS5 host name contains a NUL byte',
          fail(Socks5Reply.GENERAL_FAILURE),
        );
      }
      host = Buffer.from(name).toString('latin1');
    }
    const port = ((b[end - 2] ?? 0) << 8) | (b[end - 1] ?? 0);
    if (port === 0)
      return this.refuse('SOCKS5 request for port 0', fail(Socks5Reply.GENERAL_FAILURE));
    return { request: { version: '5', host, port }, rest: b.slice(end) };
  }
}
