/**
 * Runs key exchanges for the transport, in the client or server role (RFC 4253 §7–8,
 * RFC 4419, RFC 5656, RFC 8731; strict KEX from OpenSSH PROTOCOL §1.10).
 *
 * State lives in one KexState union (kex-state.ts). The driver sends KEX packets directly
 * (they bypass the transport's queue), switches packet protection at NEWKEYS, resets sequence
 * numbers under strict KEX, and reports completion. Everything the peer sends is checked
 * against the state: an unexpected KEX message is a ProtocolError.
 */
import {
  HostKeyRejected,
  HostKeySignatureError,
  KeyExchangeFailed,
  ProtocolError,
  SshError,
} from '../errors.js';
import { cipherInfo } from '../crypto/cipher/index.js';
import { kexMethod } from '../crypto/kex/index.js';
import type { KexMethod } from '../crypto/kex/types.js';
import { hostKeyAlgorithmKeyType, parsePublicKey } from '../crypto/hostkey/index.js';
import type { HostKeyPair, PublicKey } from '../crypto/hostkey/types.js';
import { constantTimeEqual, wipe } from '../wire/bytes.js';
import { Msg } from '../wire/messages.js';
import { SshReader } from '../wire/reader.js';
import { SshWriter } from '../wire/writer.js';
import type { AlgorithmPreferences } from './algorithms.js';
import { exchangeHash, makeNewKeys, type GexParams, type NewKeys } from './exchange-hash.js';
import type { Exchange, KexReason, KexState } from './kex-state.js';
import {
  decodeKexInit,
  encodeKexInit,
  guessWasRight,
  negotiate,
  type Negotiated,
} from './kexinit.js';
import type { PacketReader, PacketWriter } from './packet-codec.js';

const STRICT_C = 'kex-strict-c-v00@openssh.com';
const STRICT_S = 'kex-strict-s-v00@openssh.com';

export interface KexCompleted {
  readonly reason: KexReason;
  readonly negotiated: Negotiated;
  readonly sessionId: Uint8Array;
  readonly strict: boolean;
}

export interface KexDriverConfig {
  readonly role: 'client' | 'server';
  readonly prefs: AlgorithmPreferences;
  readonly hostKeys: readonly HostKeyPair[];
  readonly verifyHostKey:
    ((key: PublicKey, algorithm: string) => boolean | Promise<boolean>) | undefined;
  readonly rekeyLimitBytes: number;
  readonly rekeyIntervalMs: number;
  readonly now: () => number;
}

/** What the driver needs from the transport. */
export interface KexDriverHost {
  sendKexPacket(payload: Uint8Array): void;
  versions(): { client: string; server: string };
  readonly reader: PacketReader;
  readonly writer: PacketWriter;
  /** Our NEWKEYS is out: upper-layer traffic may flow again under the new keys. */
  onOutboundKeysActive(reason: KexReason): void;
  onComplete(info: KexCompleted): void;
}

export class KexDriver {
  private state: KexState = { kind: 'idle' };
  sessionId: Uint8Array | null = null;
  hostKey: PublicKey | null = null;
  /** Strict KEX was negotiated in the initial exchange. */
  strict = false;
  /** Server role: the client offered ext-info-c. */
  peerOfferedExtInfo = false;
  /** The peer sent KEXINIT and not yet NEWKEYS: only KEX and generic messages may come. */
  peerInKex = false;
  private initialDone = false;
  private ignoreNextKexPacket = false;
  private bytesIn = 0;
  private bytesOut = 0;
  private lastKexAt: number;

  constructor(
    private readonly cfg: KexDriverConfig,
    private readonly host: KexDriverHost,
  ) {
    this.lastKexAt = cfg.now();
  }

  /** We have sent KEXINIT and not yet NEWKEYS: upper-layer traffic must wait. */
  get inProgress(): boolean {
    const k = this.state.kind;
    return k !== 'idle' && k !== 'awaitingNewKeys';
  }

  countIn(n: number): void {
    this.bytesIn += n;
  }
  countOut(n: number): void {
    this.bytesOut += n;
  }

  dispose(): void {
    this.state = { kind: 'idle' };
  }

  /** Sends our KEXINIT, unless an exchange is already running. */
  begin(reason: KexReason): void {
    if (this.state.kind !== 'idle') return;
    if (reason !== 'initial' && !this.initialDone) return;
    const p = this.cfg.prefs;
    const initial = reason === 'initial';
    const markers = !initial
      ? []
      : this.cfg.role === 'client'
        ? ['ext-info-c', STRICT_C]
        : [STRICT_S];
    const hostKeyAlgs =
      this.cfg.role === 'server'
        ? p.hostKey.filter((a) => this.cfg.hostKeys.some((k) => k.algorithms.includes(a)))
        : p.hostKey;
    const ours = encodeKexInit({
      kex: [...p.kex, ...markers],
      hostKey: hostKeyAlgs,
      cipherCtoS: p.ciphers,
      cipherStoC: p.ciphers,
      macCtoS: p.macs,
      macStoC: p.macs,
      compCtoS: p.compression,
      compStoC: p.compression,
      langCtoS: [],
      langStoC: [],
      firstKexPacketFollows: false,
    });
    this.host.sendKexPacket(ours);
    this.state = { kind: 'awaitingKexInit', reason, ours };
  }

  /** Starts a rekey when the byte or time limit is reached. */
  maybeRekey(): void {
    if (this.state.kind !== 'idle' || !this.initialDone) return;
    const c = this.cfg;
    const byBytes = this.bytesIn >= c.rekeyLimitBytes || this.bytesOut >= c.rekeyLimitBytes;
    const byTime = c.rekeyIntervalMs > 0 && c.now() - this.lastKexAt >= c.rekeyIntervalMs;
    if (byBytes || byTime) this.begin('rekey-local');
  }

  /**
   * Strict KEX (Terrapin, CVE-2023-48795): during the initial exchange, once strict mode is
   * agreed, only KEX messages may arrive (DISCONNECT is let through so the peer can say why).
   */
  checkStrict(type: number, _seq: number): void {
    if (this.initialDone || !this.strict || !this.peerInKex) return;
    if ((type >= 20 && type <= 49) || type === Msg.DISCONNECT) return;
    throw new ProtocolError(
      `strict KEX: unexpected message type ${type} during the initial key exchange`,
    );
  }

  /** Handles a message of type 20–49. Returns a promise while the host-key verifier runs. */
  handle(payload: Uint8Array, seq: number): Promise<void> | void {
    const type = payload[0] ?? 0;
    if (type === Msg.KEXINIT) return this.onKexInit(payload, seq);
    if (type === Msg.NEWKEYS) return this.onNewKeys(payload);
    if (this.ignoreNextKexPacket) {
      this.ignoreNextKexPacket = false;
      return;
    }
    const s = this.state;
    if (this.cfg.role === 'client') {
      if (s.kind === 'awaitingReply' && type === Msg.KEX_ECDH_REPLY)
        return this.onReply(s.x, payload, s.session.clientPublic, (q) =>
          s.session.computeSecret(q),
        );
      if (s.kind === 'awaitingGexGroup' && type === Msg.KEX_DH_GEX_GROUP)
        return this.onGexGroup(s.x, payload);
      if (s.kind === 'awaitingGexReply' && type === Msg.KEX_DH_GEX_REPLY) {
        return this.onReply(
          s.x,
          payload,
          s.session.clientPublic,
          (q) => s.session.computeSecret(q),
          s.group,
        );
      }
    } else {
      if (s.kind === 'awaitingInit' && type === Msg.KEX_ECDH_INIT) return this.onInit(s.x, payload);
      if (s.kind === 'awaitingGexRequest' && type === Msg.KEX_DH_GEX_REQUEST)
        return this.onGexRequest(s.x, payload);
      if (s.kind === 'awaitingGexInit' && type === Msg.KEX_DH_GEX_INIT)
        return this.onInit(s.x, payload, s.group);
    }
    throw new ProtocolError(`unexpected key-exchange message ${type} in state ${s.kind}`);
  }

  private onKexInit(payload: Uint8Array, seq: number): void {
    if (this.state.kind === 'idle') this.begin('rekey-peer');
    const s = this.state;
    if (s.kind !== 'awaitingKexInit') {
      throw new ProtocolError(`unexpected KEXINIT in state ${s.kind}`);
    }
    const theirs = decodeKexInit(payload);
    const ours = decodeKexInit(s.ours);
    const client = this.cfg.role === 'client' ? ours : theirs;
    const server = this.cfg.role === 'client' ? theirs : ours;
    if (s.reason === 'initial') {
      this.strict =
        this.cfg.role === 'client' ? server.kex.includes(STRICT_S) : client.kex.includes(STRICT_C);
      if (this.strict && seq !== 0) {
        throw new ProtocolError('strict KEX: KEXINIT was not the first packet from the peer');
      }
      if (this.cfg.role === 'server') this.peerOfferedExtInfo = client.kex.includes('ext-info-c');
    }
    this.peerInKex = true;
    const negotiated = negotiate(client, server, (c) => cipherInfo(c)?.aead ?? false);
    const method = kexMethod(negotiated.kex);
    if (!method) throw new KeyExchangeFailed(`negotiated unknown kex ${negotiated.kex}`);
    if (theirs.firstKexPacketFollows && !guessWasRight(client, server))
      this.ignoreNextKexPacket = true;
    const x: Exchange = {
      reason: s.reason,
      clientKexInit: this.cfg.role === 'client' ? s.ours : payload.slice(),
      serverKexInit: this.cfg.role === 'client' ? payload.slice() : s.ours,
      negotiated,
      method,
    };
    this.state =
      this.cfg.role === 'client' ? this.clientStart(x, method) : this.serverStart(x, method);
  }

  private clientStart(x: Exchange, m: KexMethod): KexState {
    if (m.kind === 'gex') {
      const { min, n, max } = m.requestBits;
      this.host.sendKexPacket(
        new SshWriter()
          .writeByte(Msg.KEX_DH_GEX_REQUEST)
          .writeUint32(min)
          .writeUint32(n)
          .writeUint32(max)
          .toBytes(),
      );
      return { kind: 'awaitingGexGroup', x };
    }
    const session = m.createClient();
    this.host.sendKexPacket(
      new SshWriter().writeByte(Msg.KEX_ECDH_INIT).writeString(session.clientPublic).toBytes(),
    );
    return { kind: 'awaitingReply', x, session };
  }

  private serverStart(x: Exchange, m: KexMethod): KexState {
    return m.kind === 'gex' ? { kind: 'awaitingGexRequest', x } : { kind: 'awaitingInit', x };
  }

  private onGexGroup(x: Exchange, payload: Uint8Array): void {
    if (x.method.kind !== 'gex') throw new ProtocolError('GEX group for a non-GEX method');
    const r = new SshReader(payload, 'KEX_DH_GEX_GROUP');
    r.readByte();
    const p = r.readMpintBytes().slice();
    const g = r.readMpintBytes().slice();
    r.expectEnd();
    const { min, n, max } = x.method.requestBits;
    const session = x.method.createClient(p, g, min, max);
    this.host.sendKexPacket(
      new SshWriter().writeByte(Msg.KEX_DH_GEX_INIT).writeString(session.clientPublic).toBytes(),
    );
    this.state = { kind: 'awaitingGexReply', x, session, group: { min, n, max, p, g } };
  }

  /** Client: the server's reply. Verifies the signature, then (initial KEX) asks the verifier. */
  private onReply(
    x: Exchange,
    payload: Uint8Array,
    clientPublic: Uint8Array,
    compute: (serverPublic: Uint8Array) => Uint8Array,
    gex?: GexParams,
  ): Promise<void> | void {
    const r = new SshReader(payload, 'KEX reply');
    r.readByte();
    const hostKeyBlob = r.readString().slice();
    const serverPublic = r.readString();
    const signature = r.readString();
    r.expectEnd();
    const k = compute(serverPublic);
    const h = exchangeHash(
      x.method.hash,
      this.hashInputs(x, hostKeyBlob),
      clientPublic,
      serverPublic,
      k,
      gex,
    );
    const alg = x.negotiated.hostKey;
    const key = parsePublicKey(hostKeyBlob);
    if (hostKeyAlgorithmKeyType(alg) !== key.type) {
      throw new ProtocolError(`server sent a ${key.type} host key for algorithm ${alg}`);
    }
    if (!key.verify(alg, signature, h)) {
      throw new HostKeySignatureError(
        `the server's ${alg} signature over the exchange hash is invalid`,
        {
          algorithm: alg,
        },
      );
    }
    const sessionId = this.sessionId ?? h;
    const keys = makeNewKeys('client', x.method.hash, k, h, sessionId, x.negotiated);
    wipe(k);
    if (x.reason !== 'initial') {
      if (!this.hostKey || !constantTimeEqual(this.hostKey.blob, key.blob)) {
        throw new HostKeyRejected('the server host key changed during a key re-exchange');
      }
      return this.sendNewKeys(x, keys);
    }
    this.state = { kind: 'verifyingHostKey', x, keys, hostKey: key };
    const verify = this.cfg.verifyHostKey;
    if (!verify) throw new HostKeyRejected('no host-key verifier');
    return (async () => {
      let ok: boolean;
      try {
        ok = await verify(key, alg);
      } catch (e) {
        if (e instanceof SshError) throw e;
        throw new HostKeyRejected(`host-key verification failed: ${String(e)}`, {}, { cause: e });
      }
      if (ok !== true) throw new HostKeyRejected(`host key ${key.type} was not accepted`);
      if (this.state.kind !== 'verifyingHostKey') return; // closed meanwhile
      this.hostKey = key;
      this.sessionId = sessionId;
      this.sendNewKeys(x, keys);
    })();
  }

  /** Server: the client's public value. Answers with our host key, value and signature. */
  private onInit(x: Exchange, payload: Uint8Array, group?: GexParams): void {
    const r = new SshReader(payload, 'KEX init');
    r.readByte();
    const clientPublic = r.readString().slice();
    r.expectEnd();
    const m = x.method;
    let result;
    if (m.kind === 'gex') {
      if (!group) throw new ProtocolError('GEX init without a group');
      result = m.respond(group.p, group.g, clientPublic);
    } else {
      result = m.respond(clientPublic);
    }
    const alg = x.negotiated.hostKey;
    const pair = this.cfg.hostKeys.find((k) => k.algorithms.includes(alg));
    if (!pair) throw new KeyExchangeFailed(`no host key for negotiated algorithm ${alg}`);
    const blob = pair.publicKey.blob;
    const h = exchangeHash(
      m.hash,
      this.hashInputs(x, blob),
      clientPublic,
      result.serverPublic,
      result.sharedSecret,
      group,
    );
    this.sessionId ??= h;
    const sig = pair.sign(alg, h);
    this.host.sendKexPacket(
      new SshWriter()
        .writeByte(m.kind === 'gex' ? Msg.KEX_DH_GEX_REPLY : Msg.KEX_ECDH_REPLY)
        .writeString(blob)
        .writeString(result.serverPublic)
        .writeString(sig)
        .toBytes(),
    );
    const keys = makeNewKeys(
      'server',
      m.hash,
      result.sharedSecret,
      h,
      this.sessionId,
      x.negotiated,
    );
    wipe(result.sharedSecret);
    this.sendNewKeys(x, keys);
  }

  private onGexRequest(x: Exchange, payload: Uint8Array): void {
    if (x.method.kind !== 'gex') throw new ProtocolError('GEX request for a non-GEX method');
    const r = new SshReader(payload, 'KEX_DH_GEX_REQUEST');
    r.readByte();
    const min = r.readUint32();
    const n = r.readUint32();
    const max = r.readUint32();
    r.expectEnd();
    if (!(min <= n && n <= max) || max < 1024 || min > 8192) {
      throw new KeyExchangeFailed(`bad group-exchange request ${min}/${n}/${max}`);
    }
    const { p, g } = x.method.chooseGroup(min, n, max);
    this.host.sendKexPacket(
      new SshWriter()
        .writeByte(Msg.KEX_DH_GEX_GROUP)
        .writeMpintBytes(p)
        .writeMpintBytes(g)
        .toBytes(),
    );
    this.state = { kind: 'awaitingGexInit', x, group: { min, n, max, p, g } };
  }

  private sendNewKeys(x: Exchange, keys: NewKeys): void {
    this.host.sendKexPacket(new Uint8Array([Msg.NEWKEYS]));
    this.host.writer.setSealer(keys.outbound);
    if (this.strict) this.host.writer.seq = 0;
    this.state = { kind: 'awaitingNewKeys', x, inbound: keys.inbound };
    this.host.onOutboundKeysActive(x.reason);
  }

  private onNewKeys(payload: Uint8Array): void {
    const s = this.state;
    if (s.kind !== 'awaitingNewKeys')
      throw new ProtocolError(`unexpected NEWKEYS in state ${s.kind}`);
    if (payload.length !== 1) throw new ProtocolError('NEWKEYS with trailing bytes');
    this.host.reader.setOpener(s.inbound);
    if (this.strict) this.host.reader.seq = 0;
    this.state = { kind: 'idle' };
    this.peerInKex = false;
    this.initialDone = true;
    this.bytesIn = 0;
    this.bytesOut = 0;
    this.lastKexAt = this.cfg.now();
    const sessionId = this.sessionId;
    if (!sessionId) throw new ProtocolError('key exchange finished without a session id');
    this.host.onComplete({
      reason: s.x.reason,
      negotiated: s.x.negotiated,
      sessionId,
      strict: this.strict,
    });
  }

  private hashInputs(x: Exchange, hostKeyBlob: Uint8Array) {
    const v = this.host.versions();
    return {
      clientVersion: v.client,
      serverVersion: v.server,
      clientKexInit: x.clientKexInit,
      serverKexInit: x.serverKexInit,
      hostKeyBlob,
    };
  }
}
