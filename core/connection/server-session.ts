/**
 * A session channel, server side (RFC 4254 §6; RFC 4335): what an incoming 'session' open
 * becomes, for the tests and for the bundled sshd. Requests arrive decoded as one
 * discriminated union and are answered (in order, by the channel) with accept / reject.
 *
 * `stdin` is the client's data (reading it is what opens the client's window again);
 * `stdout` / `stderr` respect the client's window. finish() is the orderly end: every byte of
 * stdout and stderr sent, EOF, exit-status or exit-signal, CLOSE.
 */
import type { Readable, Writable } from 'node:stream';
import type { Channel, ChannelRequestInfo } from './channel.js';
import { EXTENDED_DATA_STDERR } from './messages.js';
import type { Answer } from './replies.js';
import {
  decodeEnv,
  decodePtyReq,
  decodeText,
  decodeUint32,
  decodeWindowChange,
  encodeExitSignal,
  encodeUint32,
  type ExitStatus,
  type PtyRequest,
  type WindowSize,
} from './session-requests.js';

export type SessionRequest =
  | ({ readonly kind: 'pty-req' } & PtyRequest)
  | { readonly kind: 'shell' }
  | { readonly kind: 'exec'; readonly command: string }
  | { readonly kind: 'subsystem'; readonly name: string }
  | { readonly kind: 'env'; readonly name: string; readonly value: string }
  | ({ readonly kind: 'window-change' } & WindowSize)
  | { readonly kind: 'signal'; readonly name: string }
  | { readonly kind: 'break'; readonly ms: number }
  | { readonly kind: 'other'; readonly type: string; readonly data: Uint8Array };

export interface RequestAnswer {
  /** Whether the client asked for a reply; accept/reject are no-ops on the wire otherwise. */
  readonly wantReply: boolean;
  accept(): void;
  reject(): void;
}

function decodeRequest(r: ChannelRequestInfo): SessionRequest {
  switch (r.type) {
    case 'pty-req':
      return { kind: 'pty-req', ...decodePtyReq(r.data) };
    case 'shell':
      return { kind: 'shell' };
    case 'exec':
      return { kind: 'exec', command: decodeText(r.data, 'exec') };
    case 'subsystem':
      return { kind: 'subsystem', name: decodeText(r.data, 'subsystem') };
    case 'env':
      return { kind: 'env', ...decodeEnv(r.data) };
    case 'window-change':
      return { kind: 'window-change', ...decodeWindowChange(r.data) };
    case 'signal':
      return { kind: 'signal', name: decodeText(r.data, 'signal') };
    case 'break':
      return { kind: 'break', ms: decodeUint32(r.data, 'break') };
    default:
      return { kind: 'other', type: r.type, data: r.data };
  }
}

export class ServerSession {
  readonly channel: Channel;
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Both CLOSEs done and stdin ended (if it was read). */
  readonly closed: Promise<void>;
  /** The client's requests. The default refuses every one. */
  onRequest: (request: SessionRequest, answer: RequestAnswer) => void = (_r, a) => a.reject();

  constructor(channel: Channel) {
    this.channel = channel;
    this.stdin = channel.incoming;
    this.stdout = channel.writable();
    this.stderr = channel.writable(EXTENDED_DATA_STDERR);
    this.closed = channel.closed;
    channel.onRequest = (r, answer) => this.handle(r, answer);
  }

  /** Ends stdout and stderr; resolves once EOF has been sent after all their data. */
  eof(): Promise<void> {
    return this.channel.eof();
  }

  /** exit-status (§6.10). Send it after EOF and before CLOSE, as sshd does. */
  exitStatus(code: number): void {
    this.fire('exit-status', encodeUint32(code));
  }

  /** exit-signal: signal name without "SIG", whether core was dumped, a message (§6.10). */
  exitSignal(signal: string, coreDumped = false, message = ''): void {
    this.fire('exit-signal', encodeExitSignal(signal, coreDumped, message));
  }

  /** Sends CLOSE now (unsent output is dropped). */
  close(): void {
    this.channel.close();
  }

  /** The orderly end: output flushed, EOF, exit-status / exit-signal, CLOSE. */
  async finish(status: ExitStatus): Promise<void> {
    await this.eof();
    if ('code' in status) this.exitStatus(status.code);
    else this.exitSignal(status.signal, status.coreDumped, status.message);
    this.close();
  }

  private fire(type: string, data: Uint8Array): void {
    if (!this.channel.isOpen) return;
    this.channel.request(type, data, false).catch(() => {});
  }

  private handle(r: ChannelRequestInfo, answer: Answer): void {
    const request = decodeRequest(r);
    this.onRequest(request, {
      wantReply: r.wantReply,
      accept: () => answer(true),
      reject: () => answer(false),
    });
  }
}
