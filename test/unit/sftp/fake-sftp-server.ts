/**
 * A scripted SFTP server for client tests: the client gets `stream` (two PassThroughs), the
 * test reads each request the client sent (its exact bytes too) and writes whatever replies it
 * likes, well-formed or not, in any order. `onRequest` switches to answering automatically.
 */
import { PassThrough } from 'node:stream';
import { SshReader } from '../../../core/wire/reader.js';
import { SshWriter } from '../../../core/wire/writer.js';
import { writeAttrs, type FileAttributes } from '../../../core/sftp/attrs.js';
import { PacketType, StatusCode } from '../../../core/sftp/constants.js';
import { PacketDecoder, encodePacket } from '../../../core/sftp/packets.js';
import type { SftpStream } from '../../../core/sftp/client.js';
import { SftpClient, type SftpClientOptions } from '../../../core/sftp/client.js';

export interface FakeRequest {
  readonly type: number;
  /** The request id (0 for INIT, whose first field is the version). */
  readonly id: number;
  /** Everything after the id. */
  readonly body: Uint8Array;
  /** The whole packet as the client wrote it, length prefix included. */
  readonly bytes: Uint8Array;
  reader(): SshReader;
}

export interface FakeName {
  readonly name: string | Uint8Array;
  readonly longname?: string;
  readonly attrs?: FileAttributes;
}

export class FakeSftpServer {
  readonly stream: SftpStream;
  readonly requests: FakeRequest[] = [];
  /** Set when the client called stream.close(). */
  closedByClient = false;
  /** Answers requests as they come instead of queueing them for next(). */
  onRequest: ((r: FakeRequest) => void) | null = null;

  private readonly toClient = new PassThrough();
  private readonly toServer = new PassThrough();
  private readonly decoder = new PacketDecoder();
  private queue: FakeRequest[] = [];
  private waiter: ((r: FakeRequest) => void) | null = null;

  constructor() {
    this.stream = {
      readable: this.toClient,
      writable: this.toServer,
      close: () => {
        this.closedByClient = true;
        this.toServer.end();
        this.toClient.end();
      },
    };
    this.toServer.on('data', (chunk: Buffer) => {
      for (const p of this.decoder.push(new Uint8Array(chunk))) {
        const whole = encodePacket(p.type, (w) => w.writeBytes(p.body));
        const hasId = p.type !== PacketType.INIT && p.body.length >= 4;
        const id = hasId ? new SshReader(p.body).readUint32() : 0;
        const body = p.type === PacketType.INIT ? p.body : p.body.subarray(4);
        const req: FakeRequest = {
          type: p.type,
          id,
          body,
          bytes: whole,
          reader: () => new SshReader(body),
        };
        this.requests.push(req);
        if (this.onRequest !== null) this.onRequest(req);
        else if (this.waiter !== null) {
          const w = this.waiter;
          this.waiter = null;
          w(req);
        } else this.queue.push(req);
      }
    });
  }

  /** The next request the client sent. */
  next(): Promise<FakeRequest> {
    const r = this.queue.shift();
    if (r !== undefined) return Promise.resolve(r);
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /** Raw bytes to the client. */
  send(bytes: Uint8Array): void {
    this.toClient.write(bytes);
  }

  packet(type: number, body: (w: SshWriter) => void): void {
    this.send(encodePacket(type, body, 256));
  }

  version(extensions: readonly (readonly [string, string])[] = [], version = 3): void {
    this.packet(PacketType.VERSION, (w) => {
      w.writeUint32(version);
      for (const [n, v] of extensions) w.writeString(n).writeString(v);
    });
  }

  status(id: number, code: number = StatusCode.OK, message = ''): void {
    this.packet(PacketType.STATUS, (w) =>
      w.writeUint32(id).writeUint32(code).writeString(message).writeString(''),
    );
  }

  handle(id: number, h: Uint8Array | string): void {
    this.packet(PacketType.HANDLE, (w) => w.writeUint32(id).writeString(h));
  }

  data(id: number, d: Uint8Array): void {
    this.packet(PacketType.DATA, (w) => w.writeUint32(id).writeString(d));
  }

  names(id: number, entries: readonly FakeName[]): void {
    this.packet(PacketType.NAME, (w) => {
      w.writeUint32(id).writeUint32(entries.length);
      for (const e of entries) {
        w.writeString(e.name).writeString(e.longname ?? '');
        writeAttrs(w, e.attrs ?? {});
      }
    });
  }

  attrs(id: number, a: FileAttributes): void {
    this.packet(PacketType.ATTRS, (w) => {
      w.writeUint32(id);
      writeAttrs(w, a);
    });
  }

  extendedReply(id: number, body: (w: SshWriter) => void): void {
    this.packet(PacketType.EXTENDED_REPLY, (w) => {
      w.writeUint32(id);
      body(w);
    });
  }

  /** The server's side of the stream ends (sftp-server exiting). */
  end(): void {
    this.toClient.end();
  }
}

/** A client started against a fresh fake that advertised `extensions` (no limits unless given). */
export async function startedClient(
  extensions: readonly (readonly [string, string])[] = [],
  o: SftpClientOptions = {},
): Promise<{ fake: FakeSftpServer; client: SftpClient }> {
  const fake = new FakeSftpServer();
  const started = SftpClient.start(fake.stream, o);
  const init = await fake.next();
  if (init.type !== PacketType.INIT) throw new Error(`expected INIT, got ${init.type}`);
  fake.version(extensions);
  return { fake, client: await started };
}

/** Bytes of `w`'s output, for building expected request encodings. */
export function bytesOf(f: (w: SshWriter) => void): Uint8Array {
  const w = new SshWriter();
  f(w);
  return w.toBytes();
}
