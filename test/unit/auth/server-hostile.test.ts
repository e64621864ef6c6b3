// User authentication, server side, against hand-built hostile requests written with
// SshWriter through the client transport: each gets the right reply (FAILURE, or DISCONNECT
// with the right reason) and never USERAUTH_SUCCESS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { transportPair } from '../../support/transport-pair.js';
import { testKey, type TestKey } from '../../support/key-candidates.js';
import { waitFor } from '../../support/wait.js';
import { generateHostKeyPair } from '../../../core/crypto/hostkey/index.js';
import {
  acceptedPubkeyAlgorithms,
  serveUserAuth,
  type OfferedKey,
  type ServerAuthOptions,
} from '../../../core/auth/server.js';
import {
  decodeFailure,
  kbdInteractiveRequest,
  noneRequest,
  passwordRequest,
  publickeyQuery,
  publickeyRequest,
  publickeySignedData,
  infoResponse,
} from '../../../core/auth/messages.js';
import { AuthCancelled, IllegalUserName } from '../../../core/auth/errors.js';
import {
  DisconnectedByPeer,
  ProtocolError,
  ServiceNotAvailable,
  type SshError,
} from '../../../core/errors.js';
import { Msg } from '../../../core/wire/messages.js';
import { SshWriter } from '../../../core/wire/writer.js';

const hostKeys = [generateHostKeyPair('ssh-ed25519')];
const alice = testKey('ssh-ed25519', 'alice');
const mallory = testKey('ssh-ed25519', 'mallory');
const rsa = testKey('ssh-rsa', 'alice-rsa');
const ecdsa = testKey('ecdsa-sha2-nistp256', 'alice-ecdsa');

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

type Reply = Uint8Array | DisconnectedByPeer;

/** A server with alice's keys authorized, and a client that writes raw messages to it. */
async function raw(extra: Partial<ServerAuthOptions<object>> = {}) {
  const calls: { user: string; key: OfferedKey; signed: boolean }[] = [];
  const opts: ServerAuthOptions<object> = {
    failureDelayMs: 0,
    maxAuthTries: 20,
    publickey: (user, key, signed) => {
      calls.push({ user, key, signed });
      const ok =
        user === 'alice' && [alice, rsa, ecdsa].some((k) => same(k.pair.publicKey.blob, key.blob));
      return ok ? { signed } : null;
    },
    password: (_u, pw) => pw === 'right',
    ...extra,
  };
  const pair = transportPair({
    hostKeys,
    server: { serverSigAlgs: acceptedPubkeyAlgorithms(opts.pubkeyAlgorithms) },
  });
  let succeeded = false;
  let serverError: unknown = null;
  serveUserAuth(pair.server, opts).then(
    () => (succeeded = true),
    (e: unknown) => (serverError = e),
  );
  let closed: SshError | null | undefined;
  void pair.clientClosed.then((e) => (closed = e));
  await pair.client.ready;
  await pair.client.requestService('ssh-userauth');
  const sessionId = pair.client.sessionId ?? new Uint8Array();
  const replies = pair.clientMessages;

  async function ask(payload: Uint8Array): Promise<Reply> {
    const n = replies.length;
    pair.client.send(payload);
    await waitFor(() => replies.length > n || closed !== undefined, 'a reply');
    const r = replies[n];
    if (r) return r;
    assert.ok(closed instanceof DisconnectedByPeer, `closed with ${String(closed)}`);
    return closed;
  }

  /** A publickey request for blobKey's blob, signed by `signer` over `data`'s fields. */
  function signed(
    blobKey: TestKey,
    signer: TestKey,
    o: { alg?: string; sigAlg?: string; user?: string; dataUser?: string; sid?: Uint8Array } = {},
  ): Uint8Array {
    const alg = o.alg ?? blobKey.pair.algorithms[0] ?? '';
    const blob = blobKey.pair.publicKey.blob;
    const data = publickeySignedData(
      o.sid ?? sessionId,
      o.dataUser ?? o.user ?? 'alice',
      alg,
      blob,
    );
    const sig = signer.pair.sign(o.sigAlg ?? alg, data);
    return publickeyRequest(o.user ?? 'alice', alg, blob, sig);
  }

  return {
    pair,
    calls,
    ask,
    signed,
    sessionId,
    succeeded: () => succeeded,
    serverError: async (): Promise<unknown> => {
      await waitFor(() => serverError !== null, 'the server to give up');
      return serverError;
    },
    /** Nothing in the whole conversation was a USERAUTH_SUCCESS. */
    neverSucceeded: () => {
      assert.ok(!succeeded, 'the server reported success');
      assert.ok(!replies.some((p) => p[0] === Msg.USERAUTH_SUCCESS), 'USERAUTH_SUCCESS was sent');
    },
  };
}

function isFailure(r: Reply, methods = ['publickey', 'password']): void {
  assert.ok(r instanceof Uint8Array, `expected FAILURE, got ${String(r)}`);
  assert.equal(r[0], Msg.USERAUTH_FAILURE);
  assert.deepEqual(decodeFailure(r), { methods, partialSuccess: false });
}

function isDisconnect(r: Reply, reason: number, text?: RegExp): void {
  assert.ok(r instanceof DisconnectedByPeer, `expected DISCONNECT, got message ${String(r)}`);
  assert.equal(r.peerReason, reason, r.description);
  if (text) assert.match(r.description, text);
}

test('control: a correct signed request succeeds, with the value for that key', async () => {
  const s = await raw();
  const r = await s.ask(s.signed(alice, alice));
  assert.ok(r instanceof Uint8Array && r[0] === Msg.USERAUTH_SUCCESS);
  await waitFor(s.succeeded, 'server success');
  s.pair.client.disconnect();
});

test('a query without a signature gets PK_OK at most, never success', async () => {
  const s = await raw();
  for (let i = 0; i < 3; i++) {
    const r = await s.ask(publickeyQuery('alice', 'ssh-ed25519', alice.pair.publicKey.blob));
    assert.ok(r instanceof Uint8Array && r[0] === Msg.USERAUTH_PK_OK);
  }
  // a "signed" flag of false with a signature appended is garbage after the fields
  const withSig = new Uint8Array([
    ...publickeyQuery('alice', 'ssh-ed25519', alice.pair.publicKey.blob),
    ...new SshWriter().writeString(alice.pair.sign('ssh-ed25519', new Uint8Array(1))).toBytes(),
  ]);
  isDisconnect(await s.ask(withSig), 2);
  s.neverSucceeded();
});

test('a signature by another key than the blob fails, and the policy is never asked', async () => {
  const s = await raw();
  isFailure(await s.ask(s.signed(alice, mallory)));
  isFailure(await s.ask(s.signed(rsa, testKey('ssh-rsa'))));
  assert.deepEqual(s.calls, []);
  s.neverSucceeded();
  s.pair.client.disconnect();
});

test('wrong algorithm names fail', async () => {
  const s = await raw();
  // RSA: the request says rsa-sha2-512, the signature blob is rsa-sha2-256
  isFailure(await s.ask(s.signed(rsa, rsa, { alg: 'rsa-sha2-512', sigAlg: 'rsa-sha2-256' })));
  // a valid SHA-1 ssh-rsa signature, but ssh-rsa is not accepted by default
  isFailure(await s.ask(s.signed(rsa, rsa, { alg: 'ssh-rsa' })));
  // an Ed25519 key under an ECDSA algorithm name, and the other way round
  isFailure(
    await s.ask(s.signed(alice, alice, { alg: 'ecdsa-sha2-nistp256', sigAlg: 'ssh-ed25519' })),
  );
  isFailure(
    await s.ask(s.signed(ecdsa, ecdsa, { alg: 'ssh-ed25519', sigAlg: 'ecdsa-sha2-nistp256' })),
  );
  // an ECDSA P-256 key named as P-384
  isFailure(await s.ask(publickeyQuery('alice', 'ecdsa-sha2-nistp384', ecdsa.pair.publicKey.blob)));
  // algorithms not implemented at all
  isFailure(await s.ask(publickeyQuery('alice', 'ssh-dss', alice.pair.publicKey.blob)));
  isFailure(
    await s.ask(
      publickeyQuery('alice', 'ssh-ed25519-cert-v01@openssh.com', alice.pair.publicKey.blob),
    ),
  );
  assert.deepEqual(s.calls, []);
  s.neverSucceeded();
  s.pair.client.disconnect();
});

test('ssh-rsa (SHA-1) authenticates only when listed', async () => {
  const s = await raw({ pubkeyAlgorithms: ['rsa-sha2-512', 'ssh-rsa'] });
  const r = await s.ask(s.signed(rsa, rsa, { alg: 'ssh-rsa' }));
  assert.ok(r instanceof Uint8Array && r[0] === Msg.USERAUTH_SUCCESS);
  s.pair.client.disconnect();
});

test('PK_OK for an authorized key does not carry over to an unauthorized one', async () => {
  const s = await raw();
  const ok = await s.ask(publickeyQuery('alice', 'ssh-ed25519', alice.pair.publicKey.blob));
  assert.ok(ok instanceof Uint8Array && ok[0] === Msg.USERAUTH_PK_OK);
  // mallory's own key, correctly signed: asked about, refused
  isFailure(await s.ask(s.signed(mallory, mallory)));
  // alice's blob, mallory's signature: the signature does not verify
  isFailure(await s.ask(s.signed(alice, mallory)));
  assert.deepEqual(
    s.calls.map((c) => [
      same(c.key.blob, alice.pair.publicKey.blob) ? 'alice' : 'mallory',
      c.signed,
    ]),
    [
      ['alice', false],
      ['mallory', true],
    ],
  );
  s.neverSucceeded();
  s.pair.client.disconnect();
});

test('a signature over other data fails: another user, another session id', async () => {
  const s = await raw();
  isFailure(await s.ask(s.signed(alice, alice, { dataUser: 'bob' })));
  const otherSid = new Uint8Array(s.sessionId.length).fill(7);
  isFailure(await s.ask(s.signed(alice, alice, { sid: otherSid })));
  s.neverSucceeded();
  s.pair.client.disconnect();
});

test('a change of user name mid-way ends the connection', async () => {
  const s = await raw();
  isFailure(await s.ask(noneRequest('mallory')));
  // a valid signature by alice's key, for alice: but this connection is mallory's
  isDisconnect(await s.ask(s.signed(alice, alice)), 2, /change of user name/);
  const e = await s.serverError();
  assert.ok(e instanceof ProtocolError);
  s.neverSucceeded();
});

test('a service other than ssh-connection ends the connection', async () => {
  const s = await raw();
  const p = new SshWriter()
    .writeByte(Msg.USERAUTH_REQUEST)
    .writeString('alice')
    .writeString('ssh-sftp-direct')
    .writeString('password')
    .writeBoolean(false)
    .writeString('right')
    .toBytes();
  isDisconnect(await s.ask(p), 7, /ssh-sftp-direct/);
  assert.ok((await s.serverError()) instanceof ServiceNotAvailable);
  s.neverSucceeded();
});

test('huge fields: a user name ends the connection; a key blob and a password fail unasked', async () => {
  let passwordAsked = 0;
  const s = await raw({ password: () => (passwordAsked++, true) });
  const bigBlob = new SshWriter().writeString('ssh-ed25519').writeString(new Uint8Array(100_000));
  isFailure(await s.ask(publickeyQuery('alice', 'ssh-ed25519', bigBlob.toBytes())));
  isFailure(await s.ask(passwordRequest('alice', 'x'.repeat(100_000))));
  assert.equal(passwordAsked, 0);
  assert.deepEqual(s.calls, []);
  isDisconnect(await s.ask(noneRequest('a'.repeat(200_000))), 15);
  assert.ok((await s.serverError()) instanceof IllegalUserName);
  s.neverSucceeded();
});

test('garbage after the fields ends the connection, even after a good signature', async () => {
  const s = await raw();
  const good = s.signed(alice, alice);
  isDisconnect(await s.ask(new Uint8Array([...good, 0x00])), 2, /trailing/);
  s.neverSucceeded();
  assert.deepEqual(s.calls, []);
});

test('garbage after a password request ends the connection', async () => {
  const s = await raw();
  isDisconnect(await s.ask(new Uint8Array([...passwordRequest('alice', 'right'), 1, 2])), 2);
  s.neverSucceeded();
});

test('a truncated request ends the connection', async () => {
  const s = await raw();
  const good = s.signed(alice, alice);
  isDisconnect(await s.ask(good.subarray(0, good.length - 3)), 2, /truncated/);
  s.neverSucceeded();
});

test('unknown methods and none fail, listing the methods that can continue', async () => {
  const s = await raw();
  isFailure(await s.ask(noneRequest('alice')));
  const hostbased = new SshWriter()
    .writeByte(Msg.USERAUTH_REQUEST)
    .writeString('alice')
    .writeString('ssh-connection')
    .writeString('hostbased')
    .writeString('whatever follows')
    .toBytes();
  isFailure(await s.ask(hostbased));
  isFailure(await s.ask(kbdInteractiveRequest('alice'))); // not configured here
  s.neverSucceeded();
  s.pair.client.disconnect();
});

test('a password change request fails without asking', async () => {
  let asked = 0;
  const s = await raw({ password: () => (asked++, true) });
  const change = new SshWriter()
    .writeByte(Msg.USERAUTH_REQUEST)
    .writeString('alice')
    .writeString('ssh-connection')
    .writeString('password')
    .writeBoolean(true)
    .writeString('right')
    .writeString('newer')
    .toBytes();
  isFailure(await s.ask(change));
  assert.equal(asked, 0);
  s.neverSucceeded();
  s.pair.client.disconnect();
});

test('INFO_RESPONSE without a prompt ends the connection', async () => {
  const s = await raw();
  isDisconnect(await s.ask(infoResponse(['right'])), 2, /INFO_RESPONSE/);
  s.neverSucceeded();
});

test('keyboard-interactive: a wrong number of answers ends the connection', async () => {
  const s = await raw({
    keyboardInteractive: async (_u, c) =>
      (await c.prompt({ prompts: [{ prompt: 'A', echo: true }] }))[0] === 'a',
  });
  const q = await s.ask(kbdInteractiveRequest('alice'));
  assert.ok(q instanceof Uint8Array && q[0] === Msg.USERAUTH_INFO_REQUEST);
  isDisconnect(await s.ask(infoResponse(['a', 'b'])), 2, /2 answers to 1 prompts/);
  s.neverSucceeded();
});

test('keyboard-interactive: a new request abandons the prompt, which rejects', async () => {
  let abandoned: unknown = null;
  const s = await raw({
    keyboardInteractive: async (_u, c) => {
      try {
        await c.prompt({ prompts: [{ prompt: 'Code: ', echo: true }] });
        return true;
      } catch (e) {
        abandoned = e;
        return true; // too late: nobody listens any more
      }
    },
  });
  const q = await s.ask(kbdInteractiveRequest('alice'));
  assert.ok(q instanceof Uint8Array && q[0] === Msg.USERAUTH_INFO_REQUEST);
  const methods = ['publickey', 'password', 'keyboard-interactive'];
  isFailure(await s.ask(passwordRequest('alice', 'wrong')), methods);
  assert.ok(abandoned instanceof AuthCancelled);
  // the answers to the abandoned prompt now come out of turn
  isDisconnect(await s.ask(infoResponse(['x'])), 2);
  s.neverSucceeded();
});

test('publickey,publickey: the same key twice is refused the second time, unasked', async () => {
  const s = await raw({ methods: [['publickey', 'publickey']] });
  const first = await s.ask(s.signed(alice, alice));
  assert.ok(first instanceof Uint8Array);
  assert.deepEqual(decodeFailure(first), { methods: ['publickey'], partialSuccess: true });
  isFailure(await s.ask(s.signed(alice, alice)), ['publickey']);
  isFailure(await s.ask(publickeyQuery('alice', 'ssh-ed25519', alice.pair.publicKey.blob)), [
    'publickey',
  ]);
  assert.equal(s.calls.length, 1);
  const last = await s.ask(s.signed(ecdsa, ecdsa));
  assert.ok(last instanceof Uint8Array && last[0] === Msg.USERAUTH_SUCCESS);
  s.pair.client.disconnect();
});
