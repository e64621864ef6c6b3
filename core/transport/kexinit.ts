/**
 * SSH_MSG_KEXINIT (RFC 4253 §7.1) and algorithm negotiation.
 *
 *   byte KEXINIT ‖ byte[16] cookie ‖ name-list ×10 (kex, host key, enc c→s, enc s→c,
 *   mac c→s, mac s→c, comp c→s, comp s→c, lang c→s, lang s→c) ‖ boolean first_kex_packet_follows
 *   ‖ uint32 0
 */
import { randomBytes } from 'node:crypto';
import { AlgorithmNegotiationError } from '../errors.js';
import { SshReader } from '../wire/reader.js';
import { SshWriter } from '../wire/writer.js';
import { Msg } from '../wire/messages.js';

export interface KexInitLists {
  readonly kex: readonly string[];
  readonly hostKey: readonly string[];
  readonly cipherCtoS: readonly string[];
  readonly cipherStoC: readonly string[];
  readonly macCtoS: readonly string[];
  readonly macStoC: readonly string[];
  readonly compCtoS: readonly string[];
  readonly compStoC: readonly string[];
  readonly langCtoS: readonly string[];
  readonly langStoC: readonly string[];
  readonly firstKexPacketFollows: boolean;
}

export function encodeKexInit(lists: KexInitLists, cookie = randomBytes(16)): Uint8Array {
  return new SshWriter(1024)
    .writeByte(Msg.KEXINIT)
    .writeBytes(cookie)
    .writeNameList(lists.kex)
    .writeNameList(lists.hostKey)
    .writeNameList(lists.cipherCtoS)
    .writeNameList(lists.cipherStoC)
    .writeNameList(lists.macCtoS)
    .writeNameList(lists.macStoC)
    .writeNameList(lists.compCtoS)
    .writeNameList(lists.compStoC)
    .writeNameList(lists.langCtoS)
    .writeNameList(lists.langStoC)
    .writeBoolean(lists.firstKexPacketFollows)
    .writeUint32(0)
    .toBytes();
}

export function decodeKexInit(payload: Uint8Array): KexInitLists {
  const r = new SshReader(payload, 'KEXINIT');
  r.readByte();
  r.readBytes(16);
  const lists: KexInitLists = {
    kex: r.readNameList(),
    hostKey: r.readNameList(),
    cipherCtoS: r.readNameList(),
    cipherStoC: r.readNameList(),
    macCtoS: r.readNameList(),
    macStoC: r.readNameList(),
    compCtoS: r.readNameList(),
    compStoC: r.readNameList(),
    langCtoS: r.readNameList(),
    langStoC: r.readNameList(),
    firstKexPacketFollows: r.readBoolean(),
  };
  r.readUint32(); // reserved
  r.expectEnd();
  return lists;
}

/** The outcome of negotiation, in the client's and server's directions. */
export interface Negotiated {
  readonly kex: string;
  readonly hostKey: string;
  readonly cipherCtoS: string;
  readonly cipherStoC: string;
  /** null when the cipher is an AEAD and brings its own integrity. */
  readonly macCtoS: string | null;
  readonly macStoC: string | null;
  readonly compCtoS: string;
  readonly compStoC: string;
}

/** Pseudo-algorithms that signal extensions in the kex list; never chosen as a method. */
export const KEX_PSEUDO = new Set([
  'ext-info-c',
  'ext-info-s',
  'kex-strict-c-v00@openssh.com',
  'kex-strict-s-v00@openssh.com',
]);

/** RFC 4253 §7.1: the first algorithm on the client's list that the server also lists. */
export function chooseFirst(
  category: string,
  client: readonly string[],
  server: readonly string[],
): string {
  const found = client.find((a) => server.includes(a));
  if (found === undefined) throw new AlgorithmNegotiationError(category, client, server);
  return found;
}

/**
 * Negotiates every category. `isAead` tells which ciphers need no MAC. The host-key choice is
 * the first client algorithm the server lists (the server lists only algorithms it has keys for).
 * `ours` is reported as the local side's list in errors.
 */
export function negotiate(
  client: KexInitLists,
  server: KexInitLists,
  isAead: (cipher: string) => boolean,
): Negotiated {
  const kex = chooseFirst(
    'kex',
    client.kex.filter((k) => !KEX_PSEUDO.has(k)),
    server.kex.filter((k) => !KEX_PSEUDO.has(k)),
  );
  const hostKey = chooseFirst('host key', client.hostKey, server.hostKey);
  const cipherCtoS = chooseFirst('cipher (client to server)', client.cipherCtoS, server.cipherCtoS);
  const cipherStoC = chooseFirst('cipher (server to client)', client.cipherStoC, server.cipherStoC);
  const macCtoS = isAead(cipherCtoS)
    ? null
    : chooseFirst('MAC (client to server)', client.macCtoS, server.macCtoS);
  const macStoC = isAead(cipherStoC)
    ? null
    : chooseFirst('MAC (server to client)', client.macStoC, server.macStoC);
  const compCtoS = chooseFirst('compression (client to server)', client.compCtoS, server.compCtoS);
  const compStoC = chooseFirst('compression (server to client)', client.compStoC, server.compStoC);
  return { kex, hostKey, cipherCtoS, cipherStoC, macCtoS, macStoC, compCtoS, compStoC };
}

/**
 * RFC 4253 §7: when first_kex_packet_follows is set, the guess was right if the first kex and
 * host-key algorithms of both lists agree; otherwise the peer's next kex packet is ignored.
 */
export function guessWasRight(client: KexInitLists, server: KexInitLists): boolean {
  const ck = client.kex.filter((k) => !KEX_PSEUDO.has(k));
  const sk = server.kex.filter((k) => !KEX_PSEUDO.has(k));
  return ck[0] === sk[0] && client.hostKey[0] === server.hostKey[0];
}
