/**
 * The client end of one SFTP session (draft-ietf-secsh-filexfer-02 §3, §4): framing over the
 * subsystem's byte streams, the INIT / VERSION exchange, and the table of requests waiting for
 * their reply, keyed by a uint32 id.
 *
 * Invariants: a request is in `pending` from the moment its bytes are written until its one
 * reply arrives or the session ends; once ended (`endedBy` set), every pending request has
 * been rejected and new ones are refused without being sent. A malformed packet, a reply to
 * no pending request, or a reply of the wrong type ends the session with SftpProtocolError,
 * which is also what the affected requests reject with. The stream ending under us rejects
 * them with SftpConnectionLostError.
 *
 * Requests made in one turn of the event loop leave together: they are gathered and written
 * corked when the turn ends (process.nextTick, after the promise continuations that made
 * them), so a channel packs them into as few CHANNEL_DATA packets as its maximum allows rather
 * than one each. A tree transfer's WRITE, FSETSTAT and CLOSE, or the READs a reply lets the
 * pipeline send, then cost one sealed packet and one socket write. A WRITE's data is gathered
 * as the caller's view, never copied to be joined: the packet framing is its one copy.
 */
import type { Readable, Writable } from 'node:stream';
import { joinParts, type ByteParts } from '../wire/byte-parts.js';
import { SshReader } from '../wire/reader.js';
import { SshWriter } from '../wire/writer.js';
import { PacketType, SFTP_VERSION, StatusCode } from './constants.js';
import {
  SftpConnectionLostError,
  SftpError,
  SftpProtocolError,
  sftpErrorFromStatus,
  type SftpErrorDetails,
} from './errors.js';
import { PacketDecoder, encodePacket } from './packets.js';
import { asSftpProtocolError, lossyText, readStatus, type ReplySpec } from './client-replies.js';
import { TakeMap } from './take-map.js';

/** The subsystem's byte streams: replies come in on `readable`, requests go out on `writable`. */
export interface SftpStream {
  readonly readable: Readable;
  readonly writable: Writable;
  /** Ends the transport (closes the channel, or the child process's pipes). */
  close(): void;
}

export interface ServerHello {
  readonly version: number;
  /** name → version pairs, in the server's order (a name may repeat with other versions). */
  readonly extensions: readonly (readonly [string, string])[];
}

interface Pending {
  readonly spec: ReplySpec<unknown>;
  readonly request: string;
  readonly path: string | undefined;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: SftpError) => void;
}

const TYPE_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(PacketType).map(([k, v]) => [v, k]),
);
const typeName = (t: number): string => TYPE_NAMES[t] ?? `type ${t}`;

/** A WRITE header's fixed part: length, type, id, handle length, offset, data length. */
const WRITE_FIXED = 4 + 1 + 4 + 4 + 8 + 4;

/** Gathered requests are written at once when they reach this size. */
const BATCH_LIMIT = 64 * 1024;

export class SftpChannel {
  /** Resolves once, when the session ends: null when we ended it, else why it ended. */
  readonly closed: Promise<SftpError | null>;

  private readonly stream: SftpStream;
  private readonly decoder = new PacketDecoder(undefined, { dataAsParts: true });
  private readonly pending = new TakeMap<number, Pending>();
  private nextId = 0;
  private endedBy: SftpError | null | undefined;
  private resolveClosed: (e: SftpError | null) => void = () => {};
  private hello: { resolve: (h: ServerHello) => void; reject: (e: SftpError) => void } | null =
    null;
  private helloDone = false;
  /** writable.write() returned false and 'drain' has not come yet. */
  private blocked = false;
  private drainWaiters: (() => void)[] = [];
  /** Requests of this turn of the event loop, not yet written. */
  private batch: Uint8Array[] = [];
  private batchBytes = 0;
  private flushQueued = false;

  constructor(stream: SftpStream) {
    this.stream = stream;
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    const { readable, writable } = stream;
    readable.on('data', (chunk: Uint8Array) => this.receive(chunk));
    readable.on('end', () => this.fail(new SftpConnectionLostError(-1, 'the SFTP stream ended')));
    readable.on('close', () =>
      this.fail(new SftpConnectionLostError(-1, 'the SFTP stream closed')),
    );
    readable.on('error', (e: Error) => this.fail(lost('reading', e)));
    writable.on('error', (e: Error) => this.fail(lost('writing', e)));
    writable.on('drain', () => this.wake());
  }

  /** Requests waiting for a reply. */
  get outstanding(): number {
    return this.pending.size;
  }

  /** The stream's buffer is past its mark: wait for ready() before sending more bulk. */
  get writeBlocked(): boolean {
    return this.blocked && this.endedBy === undefined;
  }

  get isOpen(): boolean {
    return this.endedBy === undefined;
  }

  /** Sends INIT (version 3) and resolves with the server's VERSION. */
  init(): Promise<ServerHello> {
    return new Promise<ServerHello>((resolve, reject) => {
      if (this.endedBy !== undefined) return reject(this.refusal());
      this.hello = { resolve, reject };
      this.write(encodePacket(PacketType.INIT, (w) => w.writeUint32(SFTP_VERSION)));
    });
  }

  /** Sends one request; its promise settles with the reply `spec` reads. */
  request<T>(
    type: number,
    request: string,
    path: string | undefined,
    body: (w: SshWriter) => void,
    spec: ReplySpec<T>,
    capacity = 64,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.endedBy !== undefined) return reject(this.refusal());
      const id = this.allocateId();
      const packet = encodePacket(
        type,
        (w) => {
          w.writeUint32(id);
          body(w);
        },
        capacity,
      );
      this.pending.set(id, {
        spec,
        request,
        path,
        resolve: resolve as (v: unknown) => void,
        reject,
      });
      this.write(packet);
    });
  }

  /**
   * WRITE (§6.4) with `data` sent as a second write after its header, never copied into one
   * buffer. `data` must not change until the reply arrives.
   */
  requestWrite(
    handle: Uint8Array,
    offset: number,
    data: Uint8Array,
    spec: ReplySpec<void>,
    path: string,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.endedBy !== undefined) return reject(this.refusal());
      const id = this.allocateId();
      const headerLength = WRITE_FIXED + handle.length;
      const w = new SshWriter(headerLength);
      w.writeUint32(headerLength - 4 + data.length);
      w.writeByte(PacketType.WRITE);
      w.writeUint32(id);
      w.writeString(handle);
      w.writeUint64(BigInt(offset));
      w.writeUint32(data.length);
      this.pending.set(id, {
        spec,
        request: 'write',
        path,
        resolve: resolve as () => void,
        reject,
      });
      this.write(w.toBytes());
      if (data.length > 0) this.write(data);
    });
  }

  /** Resolves when the stream accepts more requests without queueing beyond its buffer. */
  ready(): Promise<void> {
    if (!this.blocked || this.endedBy !== undefined) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Ends the session: pending requests reject, the stream closes; `closed` resolves null. */
  end(): void {
    this.finish(null, new SftpConnectionLostError(-1, 'the SFTP session was closed'));
  }

  /** Ends the session because of `error` (protocol error, lost stream). */
  fail(error: SftpError): void {
    this.finish(error, error);
  }

  private finish(reason: SftpError | null, pendingError: SftpError): void {
    if (this.endedBy !== undefined) return;
    this.endedBy = reason;
    const hello = this.hello;
    this.hello = null;
    hello?.reject(pendingError);
    for (const p of this.pending.takeAll()) p.reject(pendingError);
    this.wake();
    // what was asked before the end still goes out, as if it had been written at once
    this.flush();
    try {
      this.stream.close();
    } catch {
      // already closed: nothing more to release
    }
    this.resolveClosed(reason);
  }

  private refusal(): SftpError {
    const cause = this.endedBy ?? undefined;
    return new SftpConnectionLostError(-1, 'the SFTP session has ended', '', {}, { cause });
  }

  private allocateId(): number {
    let id = this.nextId;
    while (this.pending.has(id)) id = (id + 1) >>> 0;
    this.nextId = (id + 1) >>> 0;
    return id;
  }

  /** Gathers one request's bytes, to be written when this turn of the event loop ends. */
  private write(bytes: Uint8Array): void {
    this.batch.push(bytes);
    this.batchBytes += bytes.length;
    if (this.batchBytes >= BATCH_LIMIT) this.flush();
    else if (!this.flushQueued) {
      this.flushQueued = true;
      process.nextTick(this.flushTurn);
    }
  }

  private readonly flushTurn = (): void => {
    this.flushQueued = false;
    this.flush();
  };

  /**
   * Writes the gathered requests now, corked: a channel's stream packs them into packets
   * together (ChannelWritable._writev), a socket or pipe writes them with one writev.
   */
  private flush(): void {
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    this.batchBytes = 0;
    const out = this.stream.writable;
    if (batch.length === 1) {
      if (!out.write(batch[0])) this.blocked = true;
      return;
    }
    out.cork();
    for (const bytes of batch) if (!out.write(bytes)) this.blocked = true;
    out.uncork();
  }

  private wake(): void {
    this.blocked = false;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  private receive(chunk: Uint8Array): void {
    if (this.endedBy !== undefined) return;
    try {
      for (const p of this.decoder.push(chunk)) {
        this.dispatch(p.type, p.body, p.parts);
        if (this.endedBy !== undefined) return;
      }
    } catch (e) {
      const err = asSftpProtocolError(e, {});
      this.fail(
        err instanceof SftpError ? err : new SftpProtocolError(String(err), {}, { cause: err }),
      );
    }
  }

  /** One reply; `rest` is a DATA packet's data as parts, after the head in `body`. */
  private dispatch(type: number, body: Uint8Array, rest: ByteParts | undefined): void {
    if (!this.helloDone) {
      return this.onVersion(type, rest === undefined ? body : joinParts([body, ...rest]));
    }
    if (body.length < 4) {
      throw new SftpProtocolError(`${typeName(type)} of ${body.length} bytes has no request id`);
    }
    const rid =
      (((body[0] as number) << 24) |
        ((body[1] as number) << 16) |
        ((body[2] as number) << 8) |
        (body[3] as number)) >>>
      0;
    const p = this.pending.take(rid);
    if (p === undefined) {
      throw new SftpProtocolError(
        `${typeName(type)} reply to request id ${rid}, which is not pending`,
      );
    }
    const details: SftpErrorDetails =
      p.path === undefined ? { request: p.request } : { request: p.request, path: p.path };
    let value: unknown;
    try {
      const r = new SshReader(body.subarray(4), `${typeName(type)} reply to ${p.request}`);
      value = this.decodeReply(type, r, rest, p, details);
    } catch (e) {
      const err = asSftpProtocolError(e, details);
      if (err instanceof SftpError) p.reject(err);
      throw err;
    }
    if (value instanceof StatusFailure) p.reject(value.error);
    else p.resolve(value);
  }

  private decodeReply(
    type: number,
    r: SshReader,
    rest: ByteParts | undefined,
    p: Pending,
    details: SftpErrorDetails,
  ): unknown {
    const spec = p.spec;
    if (type === PacketType.STATUS) {
      const s = readStatus(r);
      if (s.code === StatusCode.OK && spec.ok !== undefined) return spec.ok();
      if (s.code === StatusCode.EOF && spec.eof !== undefined) return spec.eof();
      if (s.code === StatusCode.OK) {
        throw new SftpProtocolError(
          `${p.request}: STATUS OK where ${typeName(spec.expect)} was expected`,
          details,
        );
      }
      return new StatusFailure(sftpErrorFromStatus(s.code, s.message, details));
    }
    if (type !== spec.expect || type === PacketType.STATUS) {
      throw new SftpProtocolError(
        `${p.request}: ${typeName(type)} where ${typeName(spec.expect)} was expected`,
        details,
      );
    }
    if (rest === undefined) return spec.decode(r);
    if (spec.decodeParts !== undefined) return spec.decodeParts(r, rest);
    const whole = joinParts([r.readRest(), ...rest]);
    return spec.decode(new SshReader(whole, `${typeName(type)} reply to ${p.request}`));
  }

  /** VERSION (§4): uint32 version, then extension name/data string pairs to the end. */
  private onVersion(type: number, body: Uint8Array): void {
    if (type !== PacketType.VERSION || this.hello === null) {
      throw new SftpProtocolError(`${typeName(type)} before the server's VERSION`);
    }
    const r = new SshReader(body, 'VERSION');
    const version = r.readUint32();
    if (version !== SFTP_VERSION) {
      throw new SftpProtocolError(`the server speaks SFTP version ${version}, not 3`, { version });
    }
    const extensions: (readonly [string, string])[] = [];
    while (r.remaining > 0) {
      extensions.push([lossyText(r.readString()), lossyText(r.readString())]);
    }
    const hello = this.hello;
    this.hello = null;
    this.helloDone = true;
    hello.resolve({ version, extensions });
  }
}

/** A STATUS error answer, told apart from a decoded value without a second lookup. */
class StatusFailure {
  constructor(readonly error: SftpError) {}
}

function lost(what: string, cause: Error): SftpConnectionLostError {
  return new SftpConnectionLostError(
    -1,
    `the SFTP stream failed ${what}: ${cause.message}`,
    '',
    {},
    { cause },
  );
}
