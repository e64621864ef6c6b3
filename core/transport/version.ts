/**
 * Protocol version exchange (RFC 4253 §4.2).
 *
 * The identification line is `SSH-2.0-softwareversion SP comments CR LF`, at most 255 bytes
 * including CR LF. A server may send other lines first; we accept them, bounded in size and
 * count (a peer that streams banner lines forever gets a VersionError, not our memory).
 * A bare LF ending is accepted, as OpenSSH does.
 */
import { VersionError } from '../errors.js';
import { concatBytes } from '../wire/bytes.js';

export const MAX_VERSION_LINE = 255;
/** OpenSSH gives up after 1024 pre-banner lines; we do too, and cap their total size. */
export const MAX_BANNER_LINES = 1024;
export const MAX_BANNER_BYTES = 64 * 1024;

export type VersionResult =
  | { readonly done: false }
  | {
      readonly done: true;
      /** The identification line without CR LF (goes into the exchange hash as V_C/V_S). */
      readonly version: string;
      /** Lines the peer sent before its identification line. */
      readonly banner: readonly string[];
      /** Bytes after the identification line: the start of the binary packet stream. */
      readonly rest: Uint8Array;
    };

export function identificationLine(software: string, comments?: string): string {
  return `SSH-2.0-${software}${comments ? ' ' + comments : ''}`;
}

/** Incremental parser for the peer's identification. `allowBanner` is false for a client peer. */
export class VersionParser {
  private buf: Uint8Array = new Uint8Array(0);
  private readonly banner: string[] = [];
  private bannerBytes = 0;
  private readonly allowBanner: boolean;

  constructor(allowBanner: boolean) {
    this.allowBanner = allowBanner;
  }

  push(chunk: Uint8Array): VersionResult {
    this.buf = this.buf.length === 0 ? chunk : concatBytes(this.buf, chunk);
    for (;;) {
      const lf = this.buf.indexOf(0x0a);
      if (lf < 0) {
        if (this.buf.length > MAX_VERSION_LINE) {
          throw new VersionError(
            `peer sent ${this.buf.length} bytes without a line ending: not an SSH server`,
          );
        }
        return { done: false };
      }
      const lineBytes = this.buf.subarray(0, lf > 0 && this.buf[lf - 1] === 0x0d ? lf - 1 : lf);
      const rest = this.buf.subarray(lf + 1);
      const line = Buffer.from(lineBytes).toString('latin1');
      if (line.startsWith('SSH-')) {
        if (lf + 1 > MAX_VERSION_LINE) {
          throw new VersionError('identification line longer than 255 bytes');
        }
        return { done: true, version: checkVersion(line), banner: this.banner, rest };
      }
      if (!this.allowBanner) {
        throw new VersionError(`peer did not start with an identification line: ${quote(line)}`);
      }
      this.bannerBytes += lf + 1;
      this.banner.push(line);
      if (this.banner.length > MAX_BANNER_LINES || this.bannerBytes > MAX_BANNER_BYTES) {
        throw new VersionError(
          `peer sent more than ${MAX_BANNER_LINES} lines or ${MAX_BANNER_BYTES} bytes before its identification line`,
        );
      }
      if (lf + 1 > MAX_VERSION_LINE + 1024) {
        throw new VersionError('banner line too long');
      }
      this.buf = rest;
    }
  }
}

function checkVersion(line: string): string {
  // SSH-protoversion-softwareversion [SP comments]; protoversion 2.0, or 1.99 (RFC 4253 §5.1)
  const m = /^SSH-([^-]+)-(\S+)/.exec(line);
  if (!m) throw new VersionError(`malformed identification line: ${quote(line)}`);
  if (m[1] !== '2.0' && m[1] !== '1.99') {
    throw new VersionError(`unsupported protocol version ${quote(m[1] ?? '')}: ${quote(line)}`);
  }
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) throw new VersionError('identification line has control bytes');
  }
  return line;
}

function quote(s: string): string {
  const shown = s.length > 60 ? s.slice(0, 60) + '…' : s;
  return JSON.stringify(shown);
}
