/**
 * An SFTP version 3 server (draft-ietf-secsh-filexfer-02 with OpenSSH's extensions, OpenSSH
 * PROTOCOL §4) over any pair of byte streams, usually a session channel's stdin/stdout after
 * a `subsystem sftp` request. It behaves as OpenSSH's sftp-server(8): same replies, same
 * errno mapping, same rename and symlink semantics, `-R` as `readOnly`, and optionally a root
 * jail (server-paths.ts).
 *
 * One session: INIT → VERSION, then requests served concurrently, except that requests on
 * one handle run and are answered in order (server-handles.ts). Backpressure: no new request
 * starts while `MAX_IN_FLIGHT` are running or the output stream is full, and the input stream
 * is paused meanwhile, so a client that floods requests fills its channel window instead of
 * this process's memory.
 *
 * A client that breaks the framing (a packet longer than 256 KiB or of length 0, a request
 * before INIT, a second INIT, a request with no id) ends the session; everything it left
 * open is closed either way.
 */
import type { Readable, Writable } from 'node:stream';
import { PacketType } from './constants.js';
import { PacketDecoder, type SftpPacket } from './packets.js';
import { AccountCache } from './server-accounts.js';
import type { Reply, ServerContext } from './server-context.js';
import { serveRequest, versionPacket } from './server-dispatch.js';
import { HandleTable } from './server-handles.js';
import { PathMap } from './server-paths.js';

export interface SftpServerOptions {
  /** The user's home: where relative paths start ('.' realpath → home), as sftp-server(8). */
  readonly home: string;
  /**
   * Optional jail: the client sees `root` as '/', and neither '..' nor symlinks (existing or
   * created) can reach outside it. `home` is then a real path: the client starts at its place
   * inside root, or at '/' when it lies outside.
   */
  readonly root?: string;
  /** Writes refused with PERMISSION_DENIED (sftp-server -R). */
  readonly readOnly?: boolean;
  readonly log?: (line: string) => void;
  /** Default 256; reported in limits@openssh.com. */
  readonly maxHandles?: number;
}

/** Requests served at once before the server stops reading. */
export const MAX_IN_FLIGHT = 64;
export const DEFAULT_MAX_HANDLES = 256;
/** Output queued beyond this stops new requests until the stream drains. */
const OUTPUT_HIGH_WATER = 2 * 1024 * 1024;

export interface SftpStreams {
  readonly readable: Readable;
  readonly writable: Writable;
}

/**
 * Serves one SFTP session until the stream ends or the client misbehaves; closes every
 * handle. Rejects only when the options are unusable (a root that does not exist).
 */
export async function serveSftp(stream: SftpStreams, o: SftpServerOptions): Promise<void> {
  const paths = await PathMap.create(o.home, o.root);
  await new Session(stream, o, paths).run();
}

class Session {
  private readonly decoder = new PacketDecoder();
  private readonly inbox: SftpPacket[] = [];
  private inFlight = 0;
  private initDone = false;
  private outputFull = false;
  private inputEnded = false;
  private stopped = false;
  private readonly ctx: ServerContext;
  private readonly handles: HandleTable;
  private readonly log: (line: string) => void;
  private finished: () => void = () => {};

  constructor(
    private readonly s: SftpStreams,
    o: SftpServerOptions,
    paths: PathMap,
  ) {
    this.log = o.log ?? (() => {});
    this.handles = new HandleTable(o.maxHandles ?? DEFAULT_MAX_HANDLES);
    this.ctx = {
      paths,
      handles: this.handles,
      accounts: new AccountCache(),
      readOnly: o.readOnly ?? false,
      log: this.log,
      send: (reply) => this.send(reply),
    };
  }

  async run(): Promise<void> {
    const { readable, writable } = this.s;
    const done = new Promise<void>((r) => (this.finished = r));
    const onData = (chunk: Buffer) => this.receive(chunk);
    const onEnd = () => {
      this.inputEnded = true;
      this.pump();
    };
    const onGone = () => this.stop('the stream closed');
    // input that ended cleanly closes too: what it delivered is still served
    const onInputClosed = () => {
      if (!this.inputEnded) onGone();
    };
    const onDrain = () => {
      this.outputFull = false;
      this.pump();
    };
    readable.on('data', onData);
    readable.once('end', onEnd);
    readable.once('error', onGone);
    readable.once('close', onInputClosed);
    writable.once('error', onGone);
    writable.once('close', onGone);
    writable.on('drain', onDrain);
    if (readable.readableEnded) onEnd();
    await done;
    readable.off('data', onData);
    readable.off('end', onEnd);
    readable.off('error', onGone);
    readable.off('close', onInputClosed);
    writable.off('error', onGone);
    writable.off('close', onGone);
    writable.off('drain', onDrain);
    const left = await this.handles.closeAll();
    if (left > 0) this.log(`session ended: closed ${left} handle(s) left open`);
  }

  private receive(chunk: Buffer): void {
    if (this.stopped) return;
    try {
      for (const p of this.decoder.push(chunk)) this.inbox.push(p);
    } catch (e) {
      this.stop(e instanceof Error ? e.message : String(e));
      return;
    }
    this.pump();
  }

  /** Starts what may start; pauses or resumes the input; ends the session when all is done. */
  private pump(): void {
    while (
      !this.stopped &&
      this.inbox.length > 0 &&
      this.inFlight < MAX_IN_FLIGHT &&
      !this.outputFull
    ) {
      this.start(this.inbox.shift() as SftpPacket);
    }
    if (this.stopped) {
      if (this.inFlight === 0) this.finished();
      return;
    }
    const busy = this.inbox.length > 0 || this.inFlight >= MAX_IN_FLIGHT || this.outputFull;
    if (busy) this.s.readable.pause();
    else if (!this.inputEnded) this.s.readable.resume();
    if (this.inputEnded && this.inbox.length === 0 && this.inFlight === 0) {
      this.stopped = true;
      this.finished();
    }
  }

  private start(p: SftpPacket): void {
    if (p.type === PacketType.INIT) {
      if (this.initDone || p.body.length < 4) return this.stop('unexpected INIT');
      this.initDone = true;
      this.send(versionPacket(this.ctx.readOnly));
      return;
    }
    if (!this.initDone) return this.stop(`request type ${p.type} before INIT`);
    if (p.body.length < 4) return this.stop(`request type ${p.type} without an id`);
    this.inFlight++;
    serveRequest(this.ctx, p.type, p.body)
      .catch((e: unknown) => this.log(`request failed: ${e instanceof Error ? e.message : e}`))
      .finally(() => {
        this.inFlight--;
        this.pump();
      });
  }

  private send(reply: Reply): void {
    const w = this.s.writable;
    if (w.destroyed || w.writableEnded) return;
    const parts = reply instanceof Uint8Array ? [reply] : reply;
    for (const part of parts) {
      // write() says false past a small mark; a few replies more keep the channel busy
      if (!w.write(part) && w.writableLength >= OUTPUT_HIGH_WATER) this.outputFull = true;
    }
  }

  private stop(why: string): void {
    if (this.stopped) return;
    this.stopped = true;
    if (!this.inputEnded) this.log(`session ended: ${why}`);
    this.inbox.length = 0;
    this.pump();
  }
}
