/**
 * A misbehaving server, one way per test. Each ends in a typed error naming the cause and a
 * closed socket: never a crash, a hang, or an allocation sized by the peer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { fakeServer } from '../../support/fake-server.js';
import { openTransport } from '../../../core/transport/open.js';
import { Transport } from '../../../core/transport/transport.js';
import { attachTransport } from '../../../core/transport/adapter.js';
import { encodeKexInit } from '../../../core/transport/kexinit.js';
import { kexInitLists } from '../../support/kexinit-lists.js';
import { PacketWriter } from '../../../core/transport/packet-codec.js';
import { generateHostKeyPair } from '../../../core/crypto/hostkey/index.js';
import type { HostKeyPair } from '../../../core/crypto/hostkey/types.js';
import { Msg } from '../../../core/wire/messages.js';
import { SshWriter } from '../../../core/wire/writer.js';
import { SshError } from '../../../core/errors.js';

const delay = (ms: number): Promise<null> => new Promise((r) => setTimeout(() => r(null), ms));
const VERSION = 'SSH-2.0-Fake_1.0\r\n';

async function expectFailure(
  onConnection: (socket: Socket) => void,
  check: (e: SshError) => void,
  opts: { timeoutMs?: number; algorithms?: Record<string, string[]> } = {},
): Promise<void> {
  const srv = await fakeServer(onConnection);
  try {
    const err = await openTransport({
      host: '127.0.0.1',
      port: srv.port,
      verifyHostKey: () => true,
      timeoutMs: opts.timeoutMs ?? 10_000,
      ...(opts.algorithms ? { algorithms: opts.algorithms } : {}),
    }).then(
      // Some failures come after the first key exchange (a bad MAC on EXT_INFO): wait for them.
      async (t) => (await Promise.race([t.transport.closed, delay(3000)])) ?? null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof SshError, `expected an SshError, got ${String(err)}`);
    check(err);
    await srv.clientGone; // the client closed its socket
  } finally {
    await srv.close();
  }
}

/** A server-role transport on the socket, with its outgoing bytes passed through `tamper`. */
function tamperedServer(
  hostKeys: readonly HostKeyPair[],
  tamper: (b: Uint8Array, t: Transport, socket: Socket) => void,
) {
  return (socket: Socket) => {
    const t = new Transport({ role: 'server', hostKeys });
    attachTransport(t, socket);
    t.onSend = (b) => tamper(b, t, socket);
    // attachTransport already sent the version and KEXINIT through the original onSend
  };
}

const hostKey = generateHostKeyPair('ssh-ed25519');
const otherKey = generateHostKeyPair('ssh-ed25519');

test('garbage instead of a version line', async () => {
  await expectFailure(
    (s) => s.write(Buffer.alloc(4096, 0x41)),
    (e) => {
      assert.equal(e.code, 'VERSION_ERROR');
      assert.match(e.message, /without a line ending/);
    },
  );
});

test('a non-SSH version line', async () => {
  await expectFailure(
    (s) => s.write('SSH-1.5-Ancient\r\n'),
    (e) => assert.match(e.message, /unsupported protocol version "1.5"/),
  );
});

test('an endless banner', async () => {
  await expectFailure(
    (s) => {
      const line = Buffer.from('Welcome to a very chatty server\r\n');
      const timer = setInterval(() => {
        if (s.destroyed) return clearInterval(timer);
        s.write(Buffer.concat(Array.from({ length: 200 }, () => line)));
      }, 1);
      s.on('close', () => clearInterval(timer));
    },
    (e) => {
      assert.equal(e.code, 'VERSION_ERROR');
      assert.match(e.message, /more than 1024 lines/);
    },
  );
});

test('an oversized packet length', async () => {
  await expectFailure(
    (s) => {
      s.write(VERSION);
      s.write(Buffer.from([0x7f, 0xff, 0xff, 0xf0, 0x05, 0x14]));
    },
    (e) => {
      assert.equal(e.code, 'PROTOCOL_ERROR');
      assert.match(e.message, /packet length 2147483632 exceeds the limit/);
    },
  );
});

test('no algorithm in common', async () => {
  const kexinit = encodeKexInit(
    kexInitLists({ kex: ['diffie-hellman-group1-sha1', 'kex-strict-s-v00@openssh.com'] }),
  );
  await expectFailure(
    (s) => {
      s.write(VERSION);
      s.write(new PacketWriter().encode(kexinit));
    },
    (e) => {
      assert.equal(e.code, 'ALGORITHM_NEGOTIATION_FAILED');
      assert.equal(e.details['category'], 'kex');
      assert.deepEqual(e.details['theirs'], ['diffie-hellman-group1-sha1']);
    },
  );
});

test('a bad MAC on the first encrypted packet', async () => {
  let newKeysSeen = false;
  await expectFailure(
    tamperedServer([hostKey], (b, _t, socket) => {
      const out = b.slice();
      // The first packet after our NEWKEYS is the first encrypted one (EXT_INFO or similar).
      if (newKeysSeen && out.length > 20) out[out.length - 1] = (out[out.length - 1] ?? 0) ^ 1;
      if (out.length === 16 && !newKeysSeen) newKeysSeen = true; // NEWKEYS in the clear: 16 bytes
      socket.write(out);
    }),
    (e) => {
      assert.equal(e.code, 'MAC_ERROR');
    },
    { algorithms: { ciphers: ['aes128-ctr'], macs: ['hmac-sha2-256-etm@openssh.com'] } },
  );
});

test('a reply signed by the wrong host key', async () => {
  const forged: HostKeyPair = {
    publicKey: hostKey.publicKey,
    algorithms: hostKey.algorithms,
    sign: (alg, data) => otherKey.sign(alg, data),
  };
  await expectFailure(
    tamperedServer([forged], (b, _t, socket) => socket.write(b)),
    (e) => {
      assert.equal(e.code, 'HOST_KEY_SIGNATURE_INVALID');
      assert.match(e.message, /signature over the exchange hash is invalid/);
    },
  );
});

test('an extra message during strict KEX', async () => {
  let injected = false;
  await expectFailure(
    tamperedServer([hostKey], (b, t, socket) => {
      socket.write(b);
      if (!injected) {
        injected = true; // right after the server's KEXINIT: an IGNORE, properly framed
        socket.write(
          t.writer.encode(new SshWriter().writeByte(Msg.IGNORE).writeString('x').toBytes()),
        );
      }
    }),
    (e) => {
      assert.equal(e.code, 'PROTOCOL_ERROR');
      assert.match(e.message, /strict KEX/);
    },
  );
});

test('the peer closing mid-handshake is a ConnectionLost, not a hang', async () => {
  await expectFailure(
    (s) => {
      s.write(VERSION);
      setTimeout(() => s.end(), 10);
    },
    (e) => assert.equal(e.code, 'CONNECTION_LOST'),
  );
});

test('a silent server times out', async () => {
  await expectFailure(
    () => {},
    (e) => assert.equal(e.code, 'TIMEOUT'),
    { timeoutMs: 300 },
  );
});
