/**
 * Keyway's transport against real servers: OpenSSH 9.2 (bookworm) and 10 (trixie), dropbear
 * 2022 (bookworm) and 2025 (trixie). For every KEX × cipher × MAC × host-key algorithm that
 * both sides support, a connection restricted to exactly that combination completes the
 * handshake, verifies the host key against the key the harness made, and gets SERVICE_ACCEPT
 * and a USERAUTH_FAILURE method list back: both directions of the encrypted stream work.
 * Then servers restricted on their side (KexAlgorithms, Ciphers, MACs, HostKeyAlgorithms)
 * negotiate with Keyway's defaults, and rekeys started by each side keep the connection alive.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startOpenSsh,
  startDropbear,
  serverAlgorithms,
  type RunningServer,
  type Flavor,
} from './harness/index.js';
import { openTransport } from '../../core/transport/open.js';
import { defaultAlgorithms } from '../../core/transport/algorithms.js';
import { cipherInfo } from '../../core/crypto/cipher/index.js';
import { hostKeyAlgorithmKeyType } from '../../core/crypto/hostkey/index.js';
import type { PublicKey } from '../../core/crypto/hostkey/types.js';
import { Msg } from '../../core/wire/messages.js';
import { SshWriter } from '../../core/wire/writer.js';
import { probe, authNone, pool, loginPublickey, globalRequest } from '../support/probe.js';
import { generateHostKeyPair } from '../../core/crypto/hostkey/index.js';

interface Combo {
  kex: string;
  cipher: string;
  mac: string | null;
  hostKey: string;
}

const ours = defaultAlgorithms();

function combos(kexes: string[], ciphers: string[], macs: string[], hostKeys: string[]): Combo[] {
  const out: Combo[] = [];
  for (const kex of kexes)
    for (const cipher of ciphers)
      for (const mac of cipherInfo(cipher)?.aead ? [null] : macs)
        for (const hostKey of hostKeys) out.push({ kex, cipher, mac, hostKey });
  return out;
}

function keyLine(k: PublicKey): string {
  return `${k.type} ${Buffer.from(k.blob).toString('base64')}`;
}

/** One restricted connection; returns a description of what went wrong, or null. */
async function tryCombo(server: RunningServer, c: Combo): Promise<string | null> {
  let seen: PublicKey | undefined;
  try {
    const { transport, kex } = await openTransport({
      host: server.host,
      port: server.port,
      timeoutMs: 20_000,
      algorithms: {
        kex: [c.kex],
        ciphers: [c.cipher],
        ...(c.mac ? { macs: [c.mac] } : {}),
        hostKey: [c.hostKey],
      },
      verifyHostKey: (key) => {
        seen = key;
        return true;
      },
    });
    const n = kex.negotiated;
    const methods = await probe(transport);
    transport.disconnect();
    const want = server.hostKeys.find(
      (h) =>
        h.type === hostKeyAlgorithmKeyType(c.hostKey) && seen && h.publicLine === keyLine(seen),
    );
    if (!want)
      return `host key ${seen ? keyLine(seen).slice(0, 40) : 'none'} is not one the server was given`;
    if (
      n.kex !== c.kex ||
      n.cipherCtoS !== c.cipher ||
      n.cipherStoC !== c.cipher ||
      n.hostKey !== c.hostKey
    ) {
      return `negotiated ${JSON.stringify(n)}`;
    }
    const wantMac = cipherInfo(c.cipher)?.aead ? null : c.mac;
    if (n.macCtoS !== wantMac || n.macStoC !== wantMac) return `negotiated MAC ${n.macCtoS}`;
    if (!methods.includes('publickey')) return `USERAUTH_FAILURE methods ${methods.join(',')}`;
    if (!kex.strict) return 'strict KEX not negotiated';
    return null;
  } catch (e) {
    return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
}

async function runMatrix(server: RunningServer, list: Combo[]): Promise<void> {
  // dropbear refuses a sixth unauthenticated connection from one address (MAX_UNAUTH_PER_IP),
  // and children of closed connections linger a moment: keep fewer in flight there.
  const inFlight = server.kind === 'dropbear' ? 2 : 4;
  const results = await pool(list, inFlight, async (c) => ({ c, err: await tryCombo(server, c) }));
  const failed = results.filter((r) => r.err !== null);
  assert.equal(
    failed.length,
    0,
    `${failed.length}/${list.length} combinations failed:\n` +
      failed
        .slice(0, 20)
        .map((f) => `  ${f.c.kex} ${f.c.cipher} ${f.c.mac ?? ''} ${f.c.hostKey}: ${f.err}`)
        .join('\n') +
      `\nserver log tail:\n${server.log().slice(-2000)}`,
  );
}

function intersect(a: readonly string[], b: readonly string[]): string[] {
  return a.filter((x) => b.includes(x));
}

for (const flavor of ['bookworm', 'trixie'] as Flavor[]) {
  describe(`OpenSSH (${flavor})`, () => {
    let server: RunningServer;
    let algs: { kex: string[]; ciphers: string[]; macs: string[]; hostKeyAlgorithms: string[] };
    before(async () => {
      algs = await serverAlgorithms('openssh', flavor);
      // Enable on the server everything both sides have (OpenSSH 10 turns DH off by default).
      server = await startOpenSsh({
        flavor,
        kex: intersect(ours.kex, algs.kex),
        ciphers: intersect(ours.ciphers, algs.ciphers),
        macs: intersect(ours.macs, algs.macs),
        hostKeyAlgorithms: intersect(ours.hostKey, algs.hostKeyAlgorithms),
      });
    });
    after(async () => server?.stop());

    test('offers what Keyway needs (the ML-KEM hybrid on OpenSSH 10)', () => {
      if (flavor === 'trixie') {
        assert.match(server.version, /OpenSSH_10/);
        assert.ok(algs.kex.includes('mlkem768x25519-sha256'));
      } else {
        assert.match(server.version, /OpenSSH_9/);
      }
    });

    test('every KEX × cipher × MAC × host-key algorithm', async (t) => {
      const kexes = intersect(ours.kex, algs.kex);
      const ciphers = intersect(ours.ciphers, algs.ciphers);
      const macs = intersect(ours.macs, algs.macs);
      const hostKeys = intersect(ours.hostKey, algs.hostKeyAlgorithms);
      assert.ok(kexes.length >= (flavor === 'trixie' ? 10 : 9), `kex: ${kexes.join(',')}`);
      assert.equal(ciphers.length, 6);
      assert.equal(macs.length, 4);
      assert.equal(hostKeys.length, 6);
      const list = combos(kexes, ciphers, macs, hostKeys);
      t.diagnostic(`${server.version}: ${list.length} combinations; kex ${kexes.join(',')}`);
      await runMatrix(server, list);
    });

    test('a server restricted to one algorithm per category negotiates with the defaults', async () => {
      const cases: Record<string, string>[] = [
        ...intersect(ours.kex, algs.kex).map((k) => ({ kex: k })),
        ...intersect(ours.ciphers, algs.ciphers).map((c) => ({ ciphers: c })),
        ...intersect(ours.macs, algs.macs).map((m) => ({ macs: m, ciphers: 'aes256-ctr' })),
        ...intersect(ours.hostKey, algs.hostKeyAlgorithms).map((h) => ({ hostKeyAlgorithms: h })),
      ];
      const problems: string[] = [];
      await pool(cases, 2, async (c) => {
        const s = await startOpenSsh({
          flavor,
          ...(c['kex'] ? { kex: [c['kex']] } : {}),
          ...(c['ciphers'] ? { ciphers: [c['ciphers']] } : {}),
          ...(c['macs'] ? { macs: [c['macs']] } : {}),
          ...(c['hostKeyAlgorithms'] ? { hostKeyAlgorithms: [c['hostKeyAlgorithms']] } : {}),
        });
        try {
          const { transport, kex } = await openTransport({
            host: s.host,
            port: s.port,
            verifyHostKey: () => true,
          });
          await probe(transport);
          transport.disconnect();
          const n = kex.negotiated;
          const got = {
            kex: n.kex,
            ciphers: n.cipherCtoS,
            macs: n.macCtoS ?? '',
            hostKeyAlgorithms: n.hostKey,
          };
          for (const [k, v] of Object.entries(c))
            if (got[k as keyof typeof got] !== v)
              problems.push(`${k}=${v}: got ${JSON.stringify(got)}`);
        } catch (e) {
          problems.push(`${JSON.stringify(c)}: ${String(e)}\n${s.log().slice(-800)}`);
        } finally {
          await s.stop();
        }
      });
      assert.deepEqual(problems, []);
    });

    test('rekeys started by the server (RekeyLimit) and by the client keep the connection alive', async () => {
      // sshd rekeys only after authentication: log in with a key it was given.
      const user = generateHostKeyPair('ssh-ed25519');
      const line = `ssh-ed25519 ${Buffer.from(user.publicKey.blob).toString('base64')}`;
      const s = await startOpenSsh({ flavor, rekeyLimit: '32K', authorizedKeys: [line] });
      try {
        const { transport } = await openTransport({
          host: s.host,
          port: s.port,
          verifyHostKey: () => true,
        });
        const kexes: string[] = [];
        transport.onKexComplete = (i) => kexes.push(i.reason);
        await loginPublickey(transport, user);
        const ignore = new SshWriter()
          .writeByte(Msg.IGNORE)
          .writeString(new Uint8Array(4000))
          .toBytes();
        for (let round = 0; round < 3; round++) {
          for (let i = 0; i < 12; i++) transport.send(ignore); // 48 KB > RekeyLimit 32K
          assert.equal(await globalRequest(transport), Msg.REQUEST_FAILURE);
        }

        assert.ok(
          kexes.filter((k) => k === 'rekey-peer').length >= 2,
          `kexes: ${kexes.join(',')}\n${s.log().slice(-1500)}`,
        );
        transport.rekey();
        assert.equal(await globalRequest(transport), Msg.REQUEST_FAILURE);
        assert.ok(kexes.includes('rekey-local'), `kexes: ${kexes.join(',')}`);
        transport.disconnect();
      } finally {
        await s.stop();
      }
    });
  });

  describe(`dropbear (${flavor})`, () => {
    let server: RunningServer;
    before(async () => {
      server = await startDropbear({ flavor });
    });
    after(async () => server?.stop());

    test('every KEX × cipher × MAC × host-key algorithm dropbear has', async (t) => {
      // dropbear's algorithms are fixed at build time: ask it, by offering each of ours alone.
      const kexes: string[] = [];
      for (const kex of ours.kex) {
        if (
          (await tryCombo(server, {
            kex,
            cipher: 'aes128-ctr',
            mac: 'hmac-sha2-256',
            hostKey: 'ssh-ed25519',
          })) === null
        )
          kexes.push(kex);
      }
      const ciphers = [];
      for (const cipher of ours.ciphers) {
        if (
          (await tryCombo(server, {
            kex: 'curve25519-sha256',
            cipher,
            mac: 'hmac-sha2-256',
            hostKey: 'ssh-ed25519',
          })) === null
        )
          ciphers.push(cipher);
      }
      const macs = [];
      for (const mac of ours.macs) {
        if (
          (await tryCombo(server, {
            kex: 'curve25519-sha256',
            cipher: 'aes128-ctr',
            mac,
            hostKey: 'ssh-ed25519',
          })) === null
        )
          macs.push(mac);
      }
      const hostKeys = [];
      for (const hostKey of ours.hostKey) {
        if (
          (await tryCombo(server, {
            kex: 'curve25519-sha256',
            cipher: 'aes128-ctr',
            mac: 'hmac-sha2-256',
            hostKey,
          })) === null
        )
          hostKeys.push(hostKey);
      }
      // What each dropbear release is known to support: the probe above must find at least these.
      assert.ok(
        kexes.includes('curve25519-sha256') &&
          kexes.includes('ecdh-sha2-nistp256') &&
          kexes.includes('diffie-hellman-group14-sha256'),
        kexes.join(','),
      );
      if (flavor === 'trixie') assert.ok(kexes.includes('mlkem768x25519-sha256'), kexes.join(','));
      assert.ok(
        ciphers.includes('chacha20-poly1305@openssh.com') && ciphers.includes('aes128-ctr'),
        ciphers.join(','),
      );
      assert.ok(macs.includes('hmac-sha2-256'), macs.join(','));
      assert.ok(
        hostKeys.includes('ssh-ed25519') &&
          hostKeys.includes('rsa-sha2-256') &&
          hostKeys.includes('ecdsa-sha2-nistp256'),
        hostKeys.join(','),
      );
      const list = combos(kexes, ciphers, macs, hostKeys);
      t.diagnostic(
        `${server.version}: ${list.length} combinations; kex ${kexes.join(',')}; ciphers ${ciphers.join(',')}; MACs ${macs.join(',')}; host keys ${hostKeys.join(',')}`,
      );
      await runMatrix(server, list);
    });

    test('a client-started rekey keeps the connection alive', async () => {
      const { transport } = await openTransport({
        host: server.host,
        port: server.port,
        verifyHostKey: () => true,
      });
      const kexes: string[] = [];
      transport.onKexComplete = (i) => kexes.push(i.reason);
      await probe(transport);
      transport.rekey();
      const methods = await authNone(transport);
      assert.ok(methods.includes('publickey'), methods.join(','));
      assert.deepEqual(kexes, ['rekey-local']);
      transport.disconnect();
    });
  });
}
