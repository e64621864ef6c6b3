/**
 * A session channel, client side (RFC 4254 §6; break from RFC 4335): the object `keyway ssh`
 * drives. Requests go out through the channel and are answered in order; the server's
 * exit-status / exit-signal settle `exit`.
 *
 * Streams: `stdin` respects the server's window and maximum packet, and end() sends EOF;
 * `stdout` / `stderr` are Readables whose consumption is what opens our window again, so a
 * consumer that stops reading stops the server. Consume both (or destroy the one you do not
 * want), as with a child process: `closed` waits for every stream that has a consumer.
 */
import type { Readable, Writable } from 'node:stream';
import { ChannelClosedError, ChannelRequestError, type SshError } from '../errors.js';
import type { Channel, ChannelRequestInfo } from './channel.js';
import type { Answer } from './replies.js';
import {
  decodeExitSignal,
  decodeUint32,
  encodeEnv,
  encodePtyReq,
  encodeText,
  encodeUint32,
  encodeWindowChange,
  signalName,
  type ExitStatus,
} from './session-requests.js';
import { encodeTerminalModes, type TerminalModes } from './terminal-modes.js';

export type { ExitStatus } from './session-requests.js';

export interface PtyOptions {
  /** TERM, e.g. 'xterm-256color'. */
  readonly term: string;
  readonly cols: number;
  readonly rows: number;
  readonly widthPx?: number;
  readonly heightPx?: number;
  /** Merged over DEFAULT_TERMINAL_MODES (IUTF8 on, a cooked Linux tty). */
  readonly modes?: TerminalModes;
}

const empty = new Uint8Array(0);

export class Session {
  readonly channel: Channel;
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /**
   * The remote command's end: exit-status, or exit-signal. Rejects with ChannelClosedError
   * when the channel closes without either, or with the connection's error if it is lost.
   */
  readonly exit: Promise<ExitStatus>;
  /** Both CLOSEs done and stdout / stderr ended (every queued byte delivered first). */
  readonly closed: Promise<void>;

  private exitSettled = false;
  private resolveExit: (s: ExitStatus) => void = () => {};

  constructor(channel: Channel) {
    this.channel = channel;
    this.stdin = channel.writable();
    this.stdout = channel.incoming;
    this.stderr = channel.incomingStderr;
    let rejectExit: (e: Error) => void = () => {};
    this.exit = new Promise<ExitStatus>((resolve, reject) => {
      this.resolveExit = resolve;
      rejectExit = reject;
    });
    this.exit.catch(() => {}); // observed by whoever awaits it; never an unhandled rejection
    channel.onRequest = (r, answer) => this.onRequest(r, answer);
    channel.ended.then(
      (error: SshError | null) => {
        if (this.exitSettled) return;
        this.exitSettled = true;
        rejectExit(
          error ?? new ChannelClosedError('the session closed without an exit status or signal'),
        );
      },
      () => {},
    );
    this.closed = channel.closed;
  }

  /** pty-req; resolves false when the server refuses (ssh goes on without a tty then). */
  async requestPty(o: PtyOptions): Promise<boolean> {
    const size = { cols: o.cols, rows: o.rows, widthPx: o.widthPx ?? 0, heightPx: o.heightPx ?? 0 };
    const modes = encodeTerminalModes(o.modes);
    return this.channel.request('pty-req', encodePtyReq(o.term, size, modes), true);
  }

  /** env; resolves false when the server refuses (AcceptEnv), as ssh only warns. */
  env(name: string, value: string): Promise<boolean> {
    return this.channel.request('env', encodeEnv(name, value), true);
  }

  /** Starts the user's shell. Rejects with ChannelRequestError when the server refuses. */
  shell(): Promise<void> {
    return this.must('shell', empty);
  }

  exec(command: string): Promise<void> {
    return this.must('exec', encodeText(command));
  }

  subsystem(name: string): Promise<void> {
    return this.must('subsystem', encodeText(name));
  }

  /** window-change (never answered, §6.7). Ignored once the channel is closed. */
  windowChange(cols: number, rows: number, widthPx = 0, heightPx = 0): void {
    this.fireAndForget('window-change', encodeWindowChange({ cols, rows, widthPx, heightPx }));
  }

  /** signal, name with or without "SIG": 'TERM', 'INT', 'HUP', … (§6.9). */
  signal(name: string): void {
    this.fireAndForget('signal', encodeText(signalName(name)));
  }

  /** RFC 4335 break of `ms` milliseconds; resolves whether the server performed it. */
  sendBreak(ms: number): Promise<boolean> {
    return this.channel.request('break', encodeUint32(ms), true);
  }

  /** Sends CLOSE (unsent stdin data is dropped). */
  close(): void {
    this.channel.close();
  }

  private async must(type: string, data: Uint8Array): Promise<void> {
    const ok = await this.channel.request(type, data, true);
    if (!ok) throw new ChannelRequestError(type);
  }

  private fireAndForget(type: string, data: Uint8Array): void {
    if (!this.channel.isOpen) return;
    this.channel.request(type, data, false).catch(() => {});
  }

  private onRequest(r: ChannelRequestInfo, answer: Answer): void {
    switch (r.type) {
      case 'exit-status':
        return this.settleExit({ code: decodeUint32(r.data, 'exit-status') });
      case 'exit-signal':
        return this.settleExit(decodeExitSignal(r.data));
      default:
        // keepalive@openssh.com (sshd's ClientAlive probe), xon-xoff, eow@openssh.com, …:
        // refused when a reply is wanted, which is all a probe needs.
        answer(false);
    }
  }

  private settleExit(s: ExitStatus): void {
    if (this.exitSettled) return;
    this.exitSettled = true;
    this.resolveExit(s);
  }
}
