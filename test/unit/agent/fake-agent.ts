// A scripted SSH agent on a Unix socket in a temp dir, for bad-reply tests: each request is
// handed to `answer`, which writes whatever bytes it likes (or nothing) to the socket.
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SshReader } from '../../../core/wire/reader.js';
import { SshWriter } from '../../../core/wire/writer.js';
import type { HostKeyPair } from '../../../core/crypto/hostkey/types.js';

export interface FakeAgent {
  readonly path: string;
  /** Requests seen so far (payloads, without the length). */
  readonly requests: Uint8Array[];
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

export type Answer = (request: Uint8Array, socket: Socket) => void;

/** uint32 length ‖ payload */
export function framed(payload: Uint8Array): Uint8Array {
  return new SshWriter().writeUint32(payload.length).writeBytes(payload).toBytes();
}

export function msg(type: number, build: (w: SshWriter) => void = () => {}): Uint8Array {
  const w = new SshWriter().writeByte(type);
  build(w);
  return framed(w.toBytes());
}

export async function fakeAgent(answer: Answer): Promise<FakeAgent> {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-fake-agent-'));
  const path = join(dir, 'agent.sock');
  const requests: Uint8Array[] = [];
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    let buf = new Uint8Array(0);
    socket.on('data', (d: Buffer) => {
      const next = new Uint8Array(buf.length + d.length);
      next.set(buf);
      next.set(d, buf.length);
      buf = next;
      while (buf.length >= 4) {
        const len = new DataView(buf.buffer, buf.byteOffset).getUint32(0);
        if (buf.length < 4 + len) break;
        const req = buf.slice(4, 4 + len);
        buf = buf.slice(4 + len);
        requests.push(req);
        answer(req, socket);
      }
    });
  });
  server.listen(path);
  await once(server, 'listening');
  return {
    path,
    requests,
    connections: () => accepted,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A working agent holding `keys` (with comments), signing with HostKeyPair.sign. The flags pick
 * the RSA algorithm as ssh-agent does; `override` may replace the algorithm it answers with.
 */
export function honestAgent(
  keys: readonly { pair: HostKeyPair; comment: string }[],
  extraIdentities: readonly { blob: Uint8Array; comment: string }[] = [],
  override?: (asked: string) => string,
): Answer {
  return (req, socket) => {
    const r = new SshReader(req);
    const type = r.readByte();
    if (type === 11) {
      const all = [
        ...keys.map((k) => ({ blob: k.pair.publicKey.blob, comment: k.comment })),
        ...extraIdentities,
      ];
      socket.write(
        msg(12, (w) => {
          w.writeUint32(all.length);
          for (const k of all) w.writeString(k.blob).writeString(k.comment);
        }),
      );
      return;
    }
    if (type === 13) {
      const blob = r.readString();
      const data = r.readString().slice();
      const flags = r.readUint32();
      const key = keys.find((k) => Buffer.from(k.pair.publicKey.blob).equals(blob));
      if (!key) {
        socket.write(msg(5));
        return;
      }
      let alg = key.pair.publicKey.type;
      if (alg === 'ssh-rsa')
        alg = flags & 4 ? 'rsa-sha2-512' : flags & 2 ? 'rsa-sha2-256' : 'ssh-rsa';
      if (override) alg = override(alg);
      socket.write(msg(14, (w) => w.writeString(key.pair.sign(alg, data))));
      return;
    }
    socket.write(msg(5));
  };
}
