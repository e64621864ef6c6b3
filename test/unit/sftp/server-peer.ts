/**
 * A hand-driven SFTP client for the server's unit tests: serveSftp over a PassThrough pair,
 * requests built with encodePacket, replies decoded just enough to assert on (STATUS, HANDLE,
 * DATA, NAME, ATTRS, EXTENDED_REPLY). Each request gets the next id; replies are matched by id.
 */
import { PassThrough } from 'node:stream';
import { readAttrs, type FileAttributes } from '../../../core/sftp/attrs.js';
import { PacketType } from '../../../core/sftp/constants.js';
import { encodePacket, PacketDecoder, type SftpPacket } from '../../../core/sftp/packets.js';
import { serveSftp, type SftpServerOptions } from '../../../core/sftp/server.js';
import { SshReader } from '../../../core/wire/reader.js';
import type { SshWriter } from '../../../core/wire/writer.js';

export interface Reply extends SftpPacket {
  readonly id: number;
  /** After the id. */
  readonly rest: Uint8Array;
}

export interface NameItem {
  readonly name: Buffer;
  readonly longname: Buffer;
  readonly attrs: FileAttributes;
}

export class Peer {
  readonly toServer = new PassThrough();
  readonly fromServer = new PassThrough();
  readonly served: Promise<void>;
  version: SftpPacket | null = null;
  /** Every reply in arrival order. */
  readonly arrived: Reply[] = [];
  private readonly decoder = new PacketDecoder();
  private readonly waiting = new Map<number, (r: Reply) => void>();
  private nextId = 1;
  private versionWaiter: ((p: SftpPacket) => void) | null = null;
  finished = false;

  constructor(o: SftpServerOptions) {
    this.served = serveSftp({ readable: this.toServer, writable: this.fromServer }, o);
    void this.served.then(
      () => (this.finished = true),
      () => (this.finished = true),
    );
    this.fromServer.on('data', (d: Buffer) => this.onData(d));
  }

  static async start(o: SftpServerOptions): Promise<Peer> {
    const p = new Peer(o);
    await p.init();
    return p;
  }

  async init(): Promise<SftpPacket> {
    const v = new Promise<SftpPacket>((r) => (this.versionWaiter = r));
    this.raw(encodePacket(PacketType.INIT, (w) => w.writeUint32(3)));
    return (this.version = await v);
  }

  raw(bytes: Uint8Array): void {
    this.toServer.write(bytes);
  }

  /** Sends a request (id filled in) and resolves with its reply. */
  request(type: number, body: (w: SshWriter) => void = () => {}): Promise<Reply> {
    const id = this.nextId++;
    const reply = this.expect(id);
    this.raw(
      encodePacket(type, (w) => {
        w.writeUint32(id);
        body(w);
      }),
    );
    return reply;
  }

  extended(name: string, body: (w: SshWriter) => void = () => {}): Promise<Reply> {
    return this.request(PacketType.EXTENDED, (w) => {
      w.writeString(name);
      body(w);
    });
  }

  expect(id: number): Promise<Reply> {
    return new Promise((r) => this.waiting.set(id, r));
  }

  takeId(): number {
    return this.nextId++;
  }

  async end(): Promise<void> {
    this.toServer.end();
    await this.served;
  }

  private onData(d: Buffer): void {
    for (const p of this.decoder.push(d)) {
      if (p.type === PacketType.VERSION) {
        this.versionWaiter?.(p);
        continue;
      }
      const id = new DataView(p.body.buffer, p.body.byteOffset, 4).getUint32(0, false);
      const reply: Reply = { ...p, body: p.body.slice(), id, rest: p.body.slice(4) };
      this.arrived.push(reply);
      const w = this.waiting.get(id);
      this.waiting.delete(id);
      w?.(reply);
    }
  }
}

export function status(r: Reply): { code: number; message: string } {
  if (r.type !== PacketType.STATUS) throw new Error(`expected STATUS, got type ${r.type}`);
  const rd = new SshReader(r.rest);
  const code = rd.readUint32();
  const message = Buffer.from(rd.readString()).toString();
  rd.readString();
  rd.expectEnd();
  return { code, message };
}

export function handleOf(r: Reply): Uint8Array {
  if (r.type !== PacketType.HANDLE) {
    throw new Error(`expected HANDLE, got ${r.type} ${JSON.stringify(safeStatus(r))}`);
  }
  return new SshReader(r.rest).readString().slice();
}

export function dataOf(r: Reply): Buffer {
  if (r.type !== PacketType.DATA) {
    throw new Error(`expected DATA, got ${r.type} ${JSON.stringify(safeStatus(r))}`);
  }
  const rd = new SshReader(r.rest);
  const d = Buffer.from(rd.readString());
  rd.expectEnd();
  return d;
}

export function namesOf(r: Reply): NameItem[] {
  if (r.type !== PacketType.NAME) {
    throw new Error(`expected NAME, got ${r.type} ${JSON.stringify(safeStatus(r))}`);
  }
  const rd = new SshReader(r.rest);
  const n = rd.readUint32();
  const out: NameItem[] = [];
  for (let i = 0; i < n; i++) {
    const name = Buffer.from(rd.readString());
    const longname = Buffer.from(rd.readString());
    out.push({ name, longname, attrs: readAttrs(rd) });
  }
  rd.expectEnd();
  return out;
}

export function attrsOf(r: Reply): FileAttributes {
  if (r.type !== PacketType.ATTRS) {
    throw new Error(`expected ATTRS, got ${r.type} ${JSON.stringify(safeStatus(r))}`);
  }
  const rd = new SshReader(r.rest);
  const a = readAttrs(rd);
  rd.expectEnd();
  return a;
}

function safeStatus(r: Reply): unknown {
  try {
    return status(r);
  } catch {
    return null;
  }
}

/** Path string helpers for request bodies. */
export const path =
  (...ps: (string | Uint8Array)[]) =>
  (w: SshWriter): void => {
    for (const p of ps) w.writeString(p);
  };

export const NO_ATTRS = (w: SshWriter): void => void w.writeUint32(0);
