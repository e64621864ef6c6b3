/**
 * The SSH transport layer (RFC 4253), sans-IO (CONVENTIONS §1): bytes in through receive(),
 * bytes out through onSend. It never owns a socket; adapter.ts joins it to a Duplex.
 *
 * Owns: version exchange, the binary packet protocol, KEXINIT negotiation, the key exchange
 * in client and server roles (kex-driver.ts), NEWKEYS, rekeying by bytes and time, strict KEX
 * (kex-strict-*-v00@openssh.com, the Terrapin fix), EXT_INFO, IGNORE/DEBUG/UNIMPLEMENTED,
 * DISCONNECT, ping@openssh.com, and SERVICE_REQUEST/ACCEPT. Upper layers get payloads of
 * message types ≥ 50 through onMessage once the first key exchange has completed.
 */
import {
  ConnectionLost,
  DisconnectedByPeer,
  DisconnectReason,
  ProtocolError,
  SshError,
  type DisconnectReasonCode,
} from '../errors.js';
import type { HostKeyPair, PublicKey } from '../crypto/hostkey/types.js';
import { isKexMessage, Msg } from '../wire/messages.js';
import { concatBytes } from '../wire/bytes.js';
import type { ByteParts } from '../wire/byte-parts.js';
import { SshReader } from '../wire/reader.js';
import { SshWriter } from '../wire/writer.js';
import { resolveAlgorithms, type AlgorithmConfig } from './algorithms.js';
import { decodeExtInfo, encodeExtInfo } from './ext-info.js';
import { KexDriver, type KexCompleted } from './kex-driver.js';
import { PacketReader, PacketWriter } from './packet-codec.js';
import { noneOpener, noneSealer } from '../crypto/cipher/index.js';
import { identificationLine, VersionParser } from './version.js';

export type { KexCompleted } from './kex-driver.js';

/** Decides whether to trust the server's host key. Runs after its signature verified. */
export type HostKeyVerifier = (key: PublicKey, algorithm: string) => boolean | Promise<boolean>;

export interface TransportOptions {
  readonly role: 'client' | 'server';
  readonly algorithms?: AlgorithmConfig;
  /** Client role: mandatory. Nothing is sent after the KEX reply until it answers true. */
  readonly verifyHostKey?: HostKeyVerifier;
  /** Server role: the host keys to offer. */
  readonly hostKeys?: readonly HostKeyPair[];
  /** Server role: server-sig-algs to announce in EXT_INFO. */
  readonly serverSigAlgs?: readonly string[];
  /** Software version in the identification line. */
  readonly software?: string;
  /** Rekey after this many bytes in either direction (RekeyLimit). Default 1 GiB. */
  readonly rekeyLimitBytes?: number;
  /** Rekey after this much time (RekeyLimit's second value). Default 1 h; 0 turns it off. */
  readonly rekeyIntervalMs?: number;
  /** Hard cap on upper-layer bytes queued while a key exchange runs. Default 32 MiB. */
  readonly maxQueuedBytes?: number;
  /** Clock, for tests. */
  readonly now?: () => number;
}

export const SOFTWARE_VERSION = 'Keyway_0.1';
/** ping@openssh.com messages (OpenSSH PROTOCOL §1.9). */
const PING = 192;
const PONG = 193;
const MAX_QUEUED_PONGS = 16;

export class Transport {
  /**
   * Wire bytes to send, in order. A bulk packet may come in pieces: `more` says another piece
   * of the same packet follows (so the adapter can gather them into one write). Set by the
   * adapter before start(). A piece is not changed afterwards.
   */
  onSend: (data: Uint8Array, more?: boolean) => void = () => {};
  /** An upper-layer message (type ≥ 50, or SERVICE_REQUEST on a server). */
  onMessage: (payload: Uint8Array, seq: number) => void = () => {};
  /** Once, when the transport ends; error is null for a clean local disconnect. */
  onClose: (error: SshError | null) => void = () => {};
  onDebug: (message: string, alwaysDisplay: boolean) => void = () => {};
  /** Lines the server sent before its identification line. */
  onBanner: (lines: readonly string[]) => void = () => {};
  onKexComplete: (info: KexCompleted) => void = () => {};
  /** A PONG answering one of our pings. */
  onPong: (data: Uint8Array) => void = () => {};
  /** Server role: accept a service (ssh-userauth, ssh-connection)? */
  onServiceRequest: (name: string) => boolean = () => false;

  readonly role: 'client' | 'server';
  readonly localVersion: string;
  peerVersion: string | null = null;
  /** Extensions the peer announced in EXT_INFO (RFC 8308). */
  readonly peerExtensions = new Map<string, Uint8Array>();
  /** Resolves when the first key exchange completes; rejects if the transport closes first. */
  readonly ready: Promise<KexCompleted>;
  /** Resolves once the transport has closed, with the error that closed it (null: clean). */
  readonly closed: Promise<SshError | null>;

  readonly writer = new PacketWriter();
  readonly reader = new PacketReader();
  private readonly versionParser: VersionParser;
  private readonly kex: KexDriver;
  private readonly now: () => number;
  private readonly maxQueuedBytes: number;
  private readonly opts: TransportOptions;

  private versionDone = false;
  private finished = false;
  /** Packet processing is suspended while the host-key verifier runs. */
  private paused = false;
  private queue: Uint8Array[] = [];
  /** PONGs owed while a key exchange runs (bounded by MAX_QUEUED_PONGS). */
  private pongQueue: Uint8Array[] = [];
  private queuedBytes = 0;
  private serviceWaiters: { name: string; resolve: () => void; reject: (e: Error) => void }[] = [];
  private resolveReady: (info: KexCompleted) => void = () => {};
  private rejectReady: (e: Error) => void = () => {};
  private resolveClosed: (e: SshError | null) => void = () => {};

  constructor(opts: TransportOptions) {
    this.opts = opts;
    this.role = opts.role;
    this.now = opts.now ?? Date.now;
    this.maxQueuedBytes = opts.maxQueuedBytes ?? 32 * 1024 * 1024;
    this.localVersion = identificationLine(opts.software ?? SOFTWARE_VERSION);
    this.versionParser = new VersionParser(opts.role === 'client');
    if (opts.role === 'client' && !opts.verifyHostKey) {
      throw new SshError('a host-key verifier is required: connecting without one is refused');
    }
    if (opts.role === 'server' && (opts.hostKeys?.length ?? 0) === 0) {
      throw new SshError('the server role needs at least one host key');
    }
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => {}); // observed through onClose too; never an unhandled rejection
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.kex = new KexDriver(
      {
        role: opts.role,
        prefs: resolveAlgorithms(opts.algorithms),
        hostKeys: opts.hostKeys ?? [],
        verifyHostKey: opts.verifyHostKey,
        rekeyLimitBytes: opts.rekeyLimitBytes ?? 2 ** 30,
        rekeyIntervalMs: opts.rekeyIntervalMs ?? 3600_000,
        now: this.now,
      },
      {
        sendKexPacket: (p) => this.sendNow(p),
        versions: () => this.versions(),
        reader: this.reader,
        writer: this.writer,
        onOutboundKeysActive: (reason) => this.outboundKeysActive(reason),
        onComplete: (info) => this.kexComplete(info),
      },
    );
  }

  get sessionId(): Uint8Array | null {
    return this.kex.sessionId;
  }
  /** The server's host key (client role), once verified. */
  get hostKey(): PublicKey | null {
    return this.kex.hostKey;
  }
  get isClosed(): boolean {
    return this.finished;
  }
  /** True while a key exchange is running (upper-layer packets are queued). */
  get kexInProgress(): boolean {
    return this.kex.inProgress;
  }

  /** Sends our identification line and first KEXINIT. */
  start(): void {
    this.onSend(Buffer.from(this.localVersion + '\r\n', 'latin1'));
    this.guard(() => this.kex.begin('initial'));
  }

  /** Bytes from the peer. Never throws: errors end the transport through onClose. */
  /**
   * Bytes from the peer. `transient`: the caller reuses the chunk's memory once this returns
   * (a socket reading into one buffer), so whatever is not consumed now is copied.
   */
  receive(chunk: Uint8Array, transient = false): void {
    if (this.finished) return;
    if (transient && !this.versionDone) chunk = chunk.slice();
    this.guard(() => {
      if (!this.versionDone) {
        const r = this.versionParser.push(chunk);
        if (!r.done) return;
        this.versionDone = true;
        this.peerVersion = r.version;
        if (r.banner.length > 0) this.onBanner(r.banner);
        chunk = r.rest;
      }
      this.reader.push(chunk);
      this.pump();
    });
    if (transient) this.reader.ownBytes();
  }

  /** The stream under us ended. */
  handleEof(cause?: Error): void {
    if (this.finished) return;
    const what = this.versionDone
      ? 'connection closed by peer'
      : 'connection closed before the SSH version exchange';
    this.close(new ConnectionLost(cause ? `${what}: ${cause.message}` : what, {}, { cause }));
  }

  /**
   * Sends an upper-layer message, `payload ‖ tail` (a tail spares the caller a copy into one
   * buffer); queued while a key exchange runs. Neither buffer is kept once this returns.
   */
  send(payload: Uint8Array, tail?: ByteParts): void {
    if (this.finished) throw new ConnectionLost('transport is closed');
    if (this.kex.inProgress || this.paused) {
      const whole = tail === undefined ? payload : concatBytes(payload, ...tail);
      this.queuedBytes += whole.length;
      if (this.queuedBytes > this.maxQueuedBytes) {
        const e = new SshError(`more than ${this.maxQueuedBytes} bytes queued during key exchange`);
        this.fail(e);
        throw e;
      }
      this.queue.push(whole);
      return;
    }
    this.sendNow(payload, tail);
    this.kex.maybeRekey();
  }

  /** Client: SERVICE_REQUEST, resolved by a matching SERVICE_ACCEPT (RFC 4253 §10). */
  requestService(name: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.finished) return reject(new ConnectionLost('transport is closed'));
      this.serviceWaiters.push({ name, resolve, reject });
      this.send(new SshWriter().writeByte(Msg.SERVICE_REQUEST).writeString(name).toBytes());
    });
  }

  /** Starts a key re-exchange now (no-op if one is running). */
  rekey(): void {
    this.guard(() => this.kex.begin('rekey-local'));
  }

  /** Lets time-based rekeying happen on an idle connection; the adapter calls it on a timer. */
  tick(): void {
    this.guard(() => this.kex.maybeRekey());
  }

  /** Sends DISCONNECT and closes (RFC 4253 §11.1). */
  disconnect(
    reason: DisconnectReasonCode = DisconnectReason.BY_APPLICATION,
    description = '',
  ): void {
    if (this.finished) return;
    this.sendDisconnect(reason, description);
    this.close(null);
  }

  /** Ends the transport because of `error`: DISCONNECT with its reason, close with it. */
  abort(error: SshError): void {
    this.fail(error);
  }

  private versions(): { client: string; server: string } {
    const peer = this.peerVersion ?? '';
    return this.role === 'client'
      ? { client: this.localVersion, server: peer }
      : { client: peer, server: this.localVersion };
  }

  private sendNow(payload: Uint8Array, tail?: ByteParts): void {
    const wire = this.writer.encodeParts(payload, tail);
    let n = 0;
    for (const w of wire) n += w.length;
    this.kex.countOut(n);
    for (let i = 0; i < wire.length; i++) this.onSend(wire[i] as Uint8Array, i < wire.length - 1);
  }

  private flushQueue(): void {
    const q = [...this.pongQueue, ...this.queue];
    this.queue = [];
    this.pongQueue = [];
    this.queuedBytes = 0;
    for (const p of q) this.sendNow(p);
  }

  private pump(): void {
    while (!this.finished && !this.paused) {
      const pkt = this.reader.next();
      if (!pkt) break;
      this.kex.countIn(pkt.payload.length);
      const pending = this.dispatch(pkt.payload, pkt.seq);
      if (pending) {
        this.paused = true;
        pending.then(
          () => {
            this.paused = false;
            this.flushQueueIfIdle();
            this.guard(() => this.pump());
          },
          (e: unknown) => this.fail(e),
        );
        return;
      }
    }
    if (!this.finished && !this.paused) this.kex.maybeRekey();
  }

  private flushQueueIfIdle(): void {
    if (!this.kex.inProgress && this.queue.length + this.pongQueue.length > 0) this.flushQueue();
  }

  /** Handles one packet; returns a promise when processing must wait for it. */
  private dispatch(payload: Uint8Array, seq: number): Promise<void> | void {
    const type = payload[0] ?? 0;
    this.kex.checkStrict(type, seq);
    if (type === Msg.DISCONNECT) return this.onDisconnectMsg(payload);
    if (type === Msg.IGNORE) return;
    if (type === Msg.DEBUG) {
      const r = new SshReader(payload, 'DEBUG');
      r.readByte();
      const always = r.readBoolean();
      const msg = r.readUtf8();
      this.onDebug(msg, always);
      return;
    }
    if (type === Msg.UNIMPLEMENTED) {
      const r = new SshReader(payload, 'UNIMPLEMENTED');
      r.readByte();
      const which = r.readUint32();
      if (this.kex.inProgress) {
        throw new ProtocolError(`peer could not handle our packet ${which} during key exchange`);
      }
      this.onDebug(`peer answered UNIMPLEMENTED for packet ${which}`, false);
      return;
    }
    if (isKexMessage(type)) return this.kex.handle(payload, seq);
    if (this.kex.peerInKex) {
      throw new ProtocolError(`message type ${type} is not allowed during key exchange`);
    }
    if (!this.kex.sessionId) {
      throw new ProtocolError(`message type ${type} before the first key exchange completed`);
    }
    switch (type) {
      case Msg.SERVICE_ACCEPT:
        return this.onServiceAccept(payload);
      case Msg.SERVICE_REQUEST:
        return this.onServiceRequestMsg(payload);
      case Msg.EXT_INFO:
        for (const [k, v] of decodeExtInfo(payload)) this.peerExtensions.set(k, v);
        return;
      case PING:
        return this.onPing(payload);
      case PONG:
        return this.onPongMsg(payload);
    }
    if (type >= 50) {
      this.onMessage(payload, seq);
      return;
    }
    this.sendNow(new SshWriter().writeByte(Msg.UNIMPLEMENTED).writeUint32(seq).toBytes());
  }

  private onDisconnectMsg(payload: Uint8Array): void {
    const r = new SshReader(payload, 'DISCONNECT');
    r.readByte();
    const code = r.readUint32();
    let desc: string;
    try {
      desc = r.readUtf8();
    } catch {
      desc = '(unreadable description)';
    }
    this.close(new DisconnectedByPeer(code, desc));
  }

  private onServiceAccept(payload: Uint8Array): void {
    const r = new SshReader(payload, 'SERVICE_ACCEPT');
    r.readByte();
    const name = r.readAscii();
    r.expectEnd();
    const w = this.serviceWaiters.shift();
    if (!w || w.name !== name) throw new ProtocolError(`unexpected SERVICE_ACCEPT for ${name}`);
    w.resolve();
  }

  private onServiceRequestMsg(payload: Uint8Array): void {
    if (this.role !== 'server') throw new ProtocolError('SERVICE_REQUEST sent to a client');
    const r = new SshReader(payload, 'SERVICE_REQUEST');
    r.readByte();
    const name = r.readAscii();
    r.expectEnd();
    if (!this.onServiceRequest(name)) {
      this.disconnect(DisconnectReason.SERVICE_NOT_AVAILABLE, `service ${name} not available`);
      return;
    }
    this.send(new SshWriter().writeByte(Msg.SERVICE_ACCEPT).writeString(name).toBytes());
  }

  /** ping@openssh.com: answer with PONG; pings during key exchange are dropped, not queued. */
  /**
   * ping@openssh.com: PING is answered with PONG carrying the same data. While our key
   * exchange runs the answers wait in a queue of at most MAX_QUEUED_PONGS; a peer that pings
   * faster than that loses the excess, it cannot grow our memory.
   */
  private onPing(payload: Uint8Array): void {
    const r = new SshReader(payload, 'PING');
    r.readByte();
    const data = r.readString();
    r.expectEnd();
    const pong = new SshWriter().writeByte(PONG).writeString(data).toBytes();
    if (!this.kex.inProgress && !this.paused) return this.sendNow(pong);
    if (this.pongQueue.length < MAX_QUEUED_PONGS) this.pongQueue.push(pong);
  }

  private onPongMsg(payload: Uint8Array): void {
    const r = new SshReader(payload, 'PONG');
    r.readByte();
    const data = r.readString().slice();
    r.expectEnd();
    this.onPong(data);
  }

  /** Sends PING (the peer must have announced ping@openssh.com in EXT_INFO). */
  ping(data: Uint8Array = new Uint8Array(0)): void {
    if (!this.peerExtensions.has('ping@openssh.com')) {
      throw new SshError('the peer does not support ping@openssh.com');
    }
    this.send(new SshWriter().writeByte(PING).writeString(data).toBytes());
  }

  /** Our NEWKEYS is out. RFC 8308 §2.4: the server's EXT_INFO is the next packet it sends. */
  private outboundKeysActive(reason: string): void {
    if (reason === 'initial' && this.role === 'server' && this.kex.peerOfferedExtInfo) {
      const ext = new Map<string, string>();
      if (this.opts.serverSigAlgs) ext.set('server-sig-algs', this.opts.serverSigAlgs.join(','));
      ext.set('ping@openssh.com', '0');
      this.sendNow(encodeExtInfo(ext));
    }
    if (!this.paused) this.flushQueue();
  }

  private kexComplete(info: KexCompleted): void {
    if (info.reason === 'initial') this.resolveReady(info);
    this.onKexComplete(info);
  }

  private sendDisconnect(reason: number, description: string): void {
    if (!this.versionDone && this.role === 'client') return;
    try {
      this.sendNow(
        new SshWriter()
          .writeByte(Msg.DISCONNECT)
          .writeUint32(reason)
          .writeString(description.slice(0, 200))
          .writeString('')
          .toBytes(),
      );
    } catch {
      // best effort: the stream may already be unusable
    }
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.fail(e);
    }
  }

  /** Ends the transport because of an error: DISCONNECT with the error's reason, then close. */
  private fail(e: unknown): void {
    if (this.finished) return;
    const err = e instanceof SshError ? e : new SshError(String(e), {}, { cause: e });
    if (!(err instanceof DisconnectedByPeer) && !(err instanceof ConnectionLost)) {
      this.sendDisconnect(err.reason, err.message);
    }
    this.close(err);
  }

  private close(err: SshError | null): void {
    if (this.finished) return;
    this.finished = true;
    this.queue = [];
    const why = err ?? new ConnectionLost('transport closed');
    for (const w of this.serviceWaiters) w.reject(why);
    this.serviceWaiters = [];
    this.rejectReady(why);
    this.kex.dispose();
    // The stream is done: wipe the keys (a DISCONNECT sent above already used them).
    this.writer.setSealer(noneSealer());
    this.reader.setOpener(noneOpener());
    this.resolveClosed(err);
    this.onClose(err);
  }
}
