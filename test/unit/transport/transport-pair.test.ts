/**
 * Client and server transports against each other in memory: every KEX method, cipher and
 * MAC; rekeying from both sides; strict KEX sequence-number resets; EXT_INFO; service request.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { transportPair } from '../../support/transport-pair.js';
import { waitFor } from '../../support/wait.js';
import { generateHostKeyPair } from '../../../core/crypto/hostkey/index.js';
import { supportedKex } from '../../../core/crypto/kex/index.js';
import { supportedCiphers, supportedMacs, cipherInfo } from '../../../core/crypto/cipher/index.js';
import { Msg } from '../../../core/wire/messages.js';
import { SshWriter } from '../../../core/wire/writer.js';
import { HostKeyRejected } from '../../../core/errors.js';
import { Transport } from '../../../core/transport/transport.js';

const ed25519 = generateHostKeyPair('ssh-ed25519');
const hostKeys = [
  ed25519,
  generateHostKeyPair('ecdsa-sha2-nistp256'),
  generateHostKeyPair('ssh-rsa', 2048),
];

function channelData(n: number): Uint8Array {
  return new SshWriter()
    .writeByte(Msg.CHANNEL_DATA)
    .writeUint32(0)
    .writeString(new Uint8Array(n).fill(7))
    .toBytes();
}

async function roundTrip(pair: ReturnType<typeof transportPair>): Promise<void> {
  await Promise.all([pair.client.ready, pair.server.ready]);
  await pair.client.requestService('ssh-userauth');
  pair.client.send(channelData(1000));
  pair.server.send(channelData(2000));
  await waitFor(
    () => pair.serverMessages.length >= 1 && pair.clientMessages.length >= 1,
    'data both ways',
  );
  assert.equal(pair.serverMessages.length, 1);
  assert.equal(pair.clientMessages.length, 1);
  assert.equal(pair.serverMessages[0]?.length, 1 + 4 + 4 + 1000);
}

for (const kex of supportedKex()) {
  test(`kex ${kex} completes and both directions carry data`, async () => {
    const pair = transportPair({ hostKeys, client: { algorithms: { kex: [kex] } } });
    await roundTrip(pair);
    const info = await pair.client.ready;
    assert.equal(info.negotiated.kex, kex);
    assert.equal(info.strict, true);
    assert.deepEqual(pair.client.sessionId, pair.server.sessionId);
    pair.client.disconnect();
    assert.equal(await pair.serverClosed.then((e) => e?.code), 'DISCONNECTED_BY_PEER');
  });
}

for (const cipher of supportedCiphers()) {
  const macs = cipherInfo(cipher)?.aead ? [null] : supportedMacs();
  for (const mac of macs) {
    test(`cipher ${cipher}${mac ? ' + ' + mac : ''} carries data both ways`, async () => {
      const algorithms = {
        ciphers: [cipher],
        ...(mac ? { macs: [mac] } : {}),
        kex: ['curve25519-sha256'],
      };
      const pair = transportPair({ hostKeys, client: { algorithms } });
      await roundTrip(pair);
      const n = (await pair.client.ready).negotiated;
      assert.equal(n.cipherCtoS, cipher);
      assert.equal(n.macStoC, mac);
      pair.client.disconnect();
    });
  }
}

for (const alg of ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'rsa-sha2-512', 'rsa-sha2-256']) {
  test(`host key algorithm ${alg} is verified`, async () => {
    let seen = '';
    const pair = transportPair({
      hostKeys,
      client: {
        algorithms: { hostKey: [alg] },
        verifyHostKey: (key, a) => {
          seen = `${key.type}/${a}`;
          return true;
        },
      },
    });
    await roundTrip(pair);
    assert.equal(seen, `${alg.startsWith('rsa') ? 'ssh-rsa' : alg}/${alg}`);
    pair.client.disconnect();
  });
}

test('rekeying started by either side keeps the connection and resets strict sequence numbers', async () => {
  const pair = transportPair({ hostKeys });
  await roundTrip(pair);
  const kexes: string[] = [];
  pair.client.onKexComplete = (i) => kexes.push(`client:${i.reason}`);
  pair.server.onKexComplete = (i) => kexes.push(`server:${i.reason}`);
  pair.client.rekey();
  pair.client.send(channelData(10)); // queued during KEX, delivered after
  await waitFor(() => kexes.length === 2 && pair.serverMessages.length === 2, 'client rekey');
  assert.deepEqual(kexes.sort(), ['client:rekey-local', 'server:rekey-peer']);
  assert.equal(pair.serverMessages.length, 2);
  // strict KEX: after NEWKEYS the counters restarted, so only a few packets have passed
  assert.ok(pair.client.writer.seq < 5, `client seq ${pair.client.writer.seq}`);
  pair.server.rekey();
  await waitFor(() => kexes.length === 4, 'server rekey');
  pair.server.send(channelData(10));
  await waitFor(() => pair.clientMessages.length === 2, 'data after the rekey');
  pair.client.disconnect();
});

test('rekeying is triggered by the byte limit', async () => {
  const pair = transportPair({ hostKeys, client: { rekeyLimitBytes: 64 * 1024 } });
  await roundTrip(pair);
  let rekeys = 0;
  pair.client.onKexComplete = () => rekeys++;
  for (let i = 0; i < 40; i++) {
    pair.client.send(channelData(4096));
    await new Promise((r) => setImmediate(r));
  }
  await waitFor(() => pair.serverMessages.length === 41, 'all data');
  assert.ok(rekeys >= 2, `rekeys: ${rekeys}`);
  assert.equal(pair.serverMessages.length, 41);
  pair.client.disconnect();
});

test('rekeying is triggered by time', async () => {
  let now = 0;
  const pair = transportPair({ hostKeys, client: { rekeyIntervalMs: 1000, now: () => now } });
  await roundTrip(pair);
  let rekeys = 0;
  pair.client.onKexComplete = () => rekeys++;
  now = 999;
  pair.client.tick();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(rekeys, 0);
  now = 1001;
  pair.client.tick();
  await waitFor(() => rekeys === 1, 'time-based rekey');
  pair.client.disconnect();
});

test('the server sends EXT_INFO with server-sig-algs and the client keeps it', async () => {
  const pair = transportPair({
    hostKeys,
    server: { serverSigAlgs: ['ssh-ed25519', 'rsa-sha2-512'] },
  });
  await roundTrip(pair);
  const v = pair.client.peerExtensions.get('server-sig-algs');
  assert.equal(Buffer.from(v ?? []).toString(), 'ssh-ed25519,rsa-sha2-512');
  assert.ok(pair.client.peerExtensions.has('ping@openssh.com'));
  pair.client.disconnect();
});

test('nothing is sent after the KEX reply until the host-key verifier answers', async () => {
  let release: (ok: boolean) => void = () => {};
  const sentAfterReply: number[] = [];
  let replySeen = false;
  const pair = transportPair({
    hostKeys,
    client: {
      verifyHostKey: () => {
        replySeen = true; // the server's KEX reply has been processed
        return new Promise<boolean>((r) => (release = r));
      },
    },
  });
  const origSend = pair.client.onSend;
  pair.client.onSend = (b) => {
    if (replySeen) sentAfterReply.push(b.length);
    origSend(b);
  };
  pair.client.requestService('ssh-userauth').catch(() => {});
  await waitFor(() => replySeen, 'the KEX reply');
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(sentAfterReply, [], 'client sent bytes while the verifier was pending');
  release(false);
  const err = await pair.clientClosed;
  assert.ok(err instanceof HostKeyRejected, String(err));
  // the only thing sent after rejecting is the DISCONNECT
  assert.equal(sentAfterReply.length, 1);
});

test('a client without a host-key verifier cannot be created', () => {
  assert.throws(() => new Transport({ role: 'client' }), /verifier is required/);
});

test('ping@openssh.com: a PING is answered with a PONG carrying its data', async () => {
  const pair = transportPair({ hostKeys });
  await roundTrip(pair);
  const pongs: string[] = [];
  pair.client.onPong = (d) => pongs.push(Buffer.from(d).toString());
  pair.client.ping(Buffer.from('hello'));
  await waitFor(() => pongs.length === 1, 'the PONG');
  assert.deepEqual(pongs, ['hello']);
  pair.client.disconnect();
});

test('ping@openssh.com: PONGs owed during a key exchange are queued, at most 16', async () => {
  const pair = transportPair({ hostKeys });
  await roundTrip(pair);
  let pongs = 0;
  pair.client.onPong = () => pongs++;
  pair.server.rekey(); // the server is in KEX until its NEWKEYS; the client has not seen it yet
  for (let i = 0; i < 100; i++) pair.client.ping();
  await waitFor(() => pongs >= 16, 'the queued PONGs');
  await new Promise((r) => setTimeout(r, 50)); // and no more than those
  assert.equal(pongs, 16);
  pair.client.ping();
  await waitFor(() => pongs === 17, 'a PONG after the exchange');
  assert.equal(pongs, 17);
  pair.client.disconnect();
});

test('DISCONNECT from the peer surfaces its reason code and description', async () => {
  const pair = transportPair({ hostKeys });
  await roundTrip(pair);
  pair.server.disconnect(11, 'bye now');
  const err = await pair.clientClosed;
  assert.equal(err?.code, 'DISCONNECTED_BY_PEER');
  assert.equal(err?.details['peerReason'], 11);
  assert.equal(err?.details['description'], 'bye now');
  assert.equal(await pair.serverClosed, null);
});
