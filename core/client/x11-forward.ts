/**
 * X11 forwarding, the client's side (ssh -X / -Y; RFC 4254 §6.3.1 x11-req, §6.3.2 x11
 * channels), as OpenSSH does it with spoofed authentication:
 * - the real cookie for $DISPLAY comes from `xauth list` (none: random data, and the X
 *   server must then let the connection in by other means, as ssh warns);
 * - x11-req sends a fake cookie of the same length; the server's X clients present it;
 * - each x11 channel the server opens is connected to the local display (":N" and "unix:N"
 *   the socket /tmp/.X11-unix/XN, "host:N" TCP port 6000+N); its X connection setup is read
 *   (bounded), the fake cookie checked in constant time and replaced by the real one before
 *   anything reaches the display; a wrong cookie or protocol closes the channel.
 * Opens before x11-req was sent are refused, and so are opens after `refuseAfterMs` (ssh's
 * ForwardX11Timeout, for untrusted forwarding whose cookie expires; x11-untrusted.ts makes it).
 */
import { execFile } from 'node:child_process';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import type { Connection } from '../connection/connection.js';
import { joinChannelSocket, socketErrorText, type Tunnel } from '../connection/forward-pipe.js';
import { OpenFailureReason } from '../connection/messages.js';
import type { Session } from '../connection/session.js';
import type { Channel } from '../connection/channel.js';
import { SshWriter } from '../wire/writer.js';
import { ForwardError } from './forward-errors.js';

export const X11_PROTO = 'MIT-MAGIC-COOKIE-1';
/** The longest X connection setup we wait for (name and data are 16-bit lengths). */
export const MAX_X11_SETUP = 4096;

export interface X11Display {
  /** Where the display listens. */
  readonly socket: { readonly path: string } | { readonly host: string; readonly port: number };
  readonly screen: number;
}

/** $DISPLAY as X clients read it; a ForwardError when it is not one. */
export function parseDisplay(display: string): X11Display {
  const m = /^(.*):(\d{1,4})(?:\.(\d{1,4}))?$/.exec(display);
  if (!m) throw new ForwardError(`DISPLAY "${display}" invalid; disabling X11 forwarding`);
  const host = m[1] ?? '';
  const n = Number(m[2]);
  const screen = m[3] === undefined ? 0 : Number(m[3]);
  if (host === '' || host === 'unix') return { socket: { path: `/tmp/.X11-unix/X${n}` }, screen };
  if (!/^[A-Za-z0-9.\-_:[\]]+$/.test(host) || 6000 + n > 65535) {
    throw new ForwardError(`DISPLAY "${display}" invalid; disabling X11 forwarding`);
  }
  return { socket: { host: host.replace(/^\[|\]$/g, ''), port: 6000 + n }, screen };
}

export interface X11Cookie {
  readonly proto: string;
  readonly data: Uint8Array;
}

/** The name xauth knows the display by: as ssh, "localhost:N" is the FamilyLocal "unix:N". */
export function xauthDisplayName(display: string): string {
  return display.startsWith('localhost:') ? `unix:${display.slice(10)}` : display;
}

/** The display's cookie from `xauth list`, or null when xauth has none (or is missing). */
export function readXauthCookie(
  display: string,
  xauth = '/usr/bin/xauth',
): Promise<X11Cookie | null> {
  return xauthList(xauth, ['list', xauthDisplayName(display)]);
}

/** The first cookie `xauth <args>` lists ("name proto hex" lines), or null. */
export function xauthList(xauth: string, args: readonly string[]): Promise<X11Cookie | null> {
  return new Promise((resolve) => {
    execFile(xauth, args, { timeout: 10_000 }, (error, out) => {
      const fields = error ? [] : (out.split('\n')[0] ?? '').trim().split(/\s+/);
      const [, proto, hex] = fields;
      if (proto === undefined || hex === undefined || !/^([0-9a-f]{2})+$/i.test(hex)) {
        return resolve(null);
      }
      resolve({ proto, data: Buffer.from(hex, 'hex') });
    });
  });
}

export type SetupCheck =
  | { readonly kind: 'more' }
  | { readonly kind: 'refuse'; readonly why: string }
  | { readonly kind: 'ok'; readonly setup: Uint8Array; readonly rest: Uint8Array };

const pad4 = (n: number): number => (n + 3) & ~3;

/**
 * Checks the X connection setup at the start of `b` (X11 protocol, "Connection Setup":
 * byte-order, unused, major, minor, name length, data length, unused, name, data, each padded
 * to 4) against the fake cookie; on success returns it with the real cookie in its place.
 */
export function checkX11Setup(b: Uint8Array, fake: X11Cookie, real: X11Cookie): SetupCheck {
  if (b.length < 12) return { kind: 'more' };
  const order = b[0];
  if (order !== 0x42 && order !== 0x6c) {
    return { kind: 'refuse', why: `bad byte order byte 0x${(order ?? 0).toString(16)}` };
  }
  const u16 = (at: number): number =>
    order === 0x42
      ? ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0)
      : (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);
  const nameLen = u16(6);
  const dataLen = u16(8);
  const end = 12 + pad4(nameLen) + pad4(dataLen);
  if (end > MAX_X11_SETUP) return { kind: 'refuse', why: 'setup longer than we accept' };
  if (b.length < end) return { kind: 'more' };
  const name = Buffer.from(b.subarray(12, 12 + nameLen)).toString('latin1');
  if (name !== fake.proto) return { kind: 'refuse', why: 'different authentication protocol' };
  const data = b.subarray(12 + pad4(nameLen), 12 + pad4(nameLen) + dataLen);
  if (data.length !== fake.data.length || !timingSafeEqual(data, fake.data)) {
    return { kind: 'refuse', why: 'wrong authentication' };
  }
  if (real.data.length !== fake.data.length) return { kind: 'refuse', why: 'cookie length' };
  const setup = b.slice(0, end);
  setup.set(real.data, 12 + pad4(nameLen));
  return { kind: 'ok', setup, rest: b.slice(end) };
}

export class X11Forwarding {
  private readonly connection: Connection;
  private readonly display: X11Display;
  private readonly real: X11Cookie;
  private readonly fake: X11Cookie;
  private readonly log: (line: string) => void;
  private requested = false;
  private readonly tunnels = new Set<Tunnel>();
  /** Date.now() from which x11 opens are refused; Infinity: never. */
  private readonly refuseFrom: number;

  /**
   * `cookie` null: no xauth data, so random data stands in for it (ssh's warning case).
   * `refuseAfterMs`: x11 channels opened that long after this is made are refused (ssh counts
   * from when it made the untrusted cookie, which expires a minute after that).
   */
  constructor(
    connection: Connection,
    display: string,
    cookie: X11Cookie | null,
    log: (line: string) => void = () => {},
    refuseAfterMs: number | null = null,
  ) {
    this.refuseFrom = refuseAfterMs === null ? Infinity : Date.now() + refuseAfterMs;
    this.connection = connection;
    this.display = parseDisplay(display);
    this.real = cookie ?? { proto: X11_PROTO, data: randomBytes(16) };
    this.fake = { proto: this.real.proto, data: randomBytes(this.real.data.length) };
    this.log = log;
    const previous = connection.onChannelOpen;
    connection.onChannelOpen = (type, extra, answer) => {
      if (type !== 'x11') return previous(type, extra, answer);
      if (!this.requested) {
        return answer.reject(
          OpenFailureReason.ADMINISTRATIVELY_PROHIBITED,
          'X11 forwarding was not requested',
        );
      }
      if (Date.now() >= this.refuseFrom) {
        this.log('Rejected X11 connection after ForwardX11Timeout expired');
        return answer.reject(OpenFailureReason.ADMINISTRATIVELY_PROHIBITED, 'X11 timeout');
      }
      const socket = this.connectDisplay();
      socket.once('error', (e) =>
        answer.reject(OpenFailureReason.CONNECT_FAILED, `X11 display: ${socketErrorText(e)}`),
      );
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        socket.on('error', () => {});
        this.serve(answer.accept(), socket);
      });
    };
  }

  /** X11 connections open now. */
  get active(): number {
    return this.tunnels.size;
  }

  /** Sends x11-req on a session (before its shell or exec); false when the server refused. */
  async request(session: Session): Promise<boolean> {
    this.requested = true;
    const data = new SshWriter()
      .writeBoolean(false) // single connection
      .writeString(this.fake.proto)
      .writeString(Buffer.from(this.fake.data).toString('hex'))
      .writeUint32(this.display.screen)
      .toBytes();
    return session.channel.request('x11-req', data, true);
  }

  private connectDisplay(): Socket {
    const s = this.display.socket;
    return 'path' in s
      ? netConnect({ path: s.path, allowHalfOpen: true })
      : netConnect({ host: s.host, port: s.port, allowHalfOpen: true });
  }

  /** Reads the X setup from the channel, checks and rewrites it, then joins the two. */
  private serve(channel: Channel, socket: Socket): void {
    let buf = new Uint8Array(0);
    let joined = false;
    const input = channel.incoming;
    const stop = (): void => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.pause();
    };
    const refuse = (why: string): void => {
      stop();
      this.log(`X11 connection rejected: ${why}`);
      channel.close();
      socket.destroy();
    };
    const onEnd = (): void => refuse('closed before its setup');
    const onData = (chunk: Buffer): void => {
      const more = new Uint8Array(buf.length + chunk.length);
      more.set(buf);
      more.set(chunk, buf.length);
      buf = more;
      const r = checkX11Setup(buf, this.fake, this.real);
      if (r.kind === 'more') return;
      if (r.kind === 'refuse') return refuse(r.why);
      stop();
      joined = true;
      socket.write(r.setup);
      if (r.rest.length > 0) input.unshift(Buffer.from(r.rest));
      const tunnel = joinChannelSocket(channel, socket);
      this.tunnels.add(tunnel);
      void tunnel.done.then(() => this.tunnels.delete(tunnel));
    };
    input.on('data', onData);
    input.once('end', onEnd);
    void channel.ended.then(() => {
      if (!joined) socket.destroy(); // ended during the setup
    });
  }
}
