/**
 * The SSH agent protocol, client side, without I/O (draft-ietf-sshm-ssh-agent §3–§4; OpenSSH
 * PROTOCOL.agent; authfd.c for the limits and the failure codes).
 *
 * Every message, both ways:  uint32 length ‖ byte type ‖ contents   (length counts type+contents)
 *
 *   SSH_AGENTC_REQUEST_IDENTITIES  11   (no contents)
 *   SSH_AGENT_IDENTITIES_ANSWER    12   uint32 nkeys ‖ nkeys × (string key-blob ‖ string comment)
 *   SSH_AGENTC_SIGN_REQUEST        13   string key-blob ‖ string data ‖ uint32 flags
 *   SSH_AGENT_SIGN_RESPONSE        14   string signature-blob
 *   SSH_AGENT_FAILURE               5   (no contents)
 *
 * Replies are parsed with SshReader; a malformed one becomes AgentError('protocol'), never a
 * RangeError, and no allocation is sized by the agent beyond the reply bound.
 */
import { AgentError, KeyFormatError, ProtocolError } from '../errors.js';
import { parsePublicKey } from '../crypto/hostkey/parse.js';
import type { PublicKey } from '../crypto/hostkey/types.js';
import { SshReader } from '../wire/reader.js';
import { SshWriter } from '../wire/writer.js';

export const AgentMsg = {
  SSH_AGENT_FAILURE: 5,
  SSH_AGENT_SUCCESS: 6,
  SSH_AGENTC_REQUEST_IDENTITIES: 11,
  SSH_AGENT_IDENTITIES_ANSWER: 12,
  SSH_AGENTC_SIGN_REQUEST: 13,
  SSH_AGENT_SIGN_RESPONSE: 14,
  /** Failure codes older agents use; OpenSSH's authfd.c treats them as SSH_AGENT_FAILURE. */
  SSH2_AGENT_FAILURE: 30,
  SSH_COM_AGENT2_FAILURE: 102,
} as const;

/** SIGN_REQUEST flags (draft-ietf-sshm-ssh-agent §4.5.1; RFC 8332 §3.3 for the RSA ones). */
export const SSH_AGENT_RSA_SHA2_256 = 2;
export const SSH_AGENT_RSA_SHA2_512 = 4;

/** Largest reply accepted (OpenSSH authfd.c MAX_AGENT_REPLY_LEN). */
export const MAX_AGENT_REPLY_LEN = 256 * 1024;
/** Most identities accepted in one answer (OpenSSH authfd.c MAX_AGENT_IDENTITIES). */
export const MAX_AGENT_IDENTITIES = 2048;

/** One identity the agent holds. */
export interface AgentKey {
  /** The public key blob exactly as the agent sent it (RFC 4253 §6.6). */
  readonly blob: Uint8Array;
  /** The comment ssh-add gave it (usually the file name), possibly empty. */
  readonly comment: string;
  /** Key type named in the blob ('ssh-ed25519', 'sk-ssh-ed25519@openssh.com', …); '' if unreadable. */
  readonly type: string;
  /**
   * The parsed key, or undefined when the engine cannot use it (security keys, certificates,
   * ssh-dss, a malformed blob): then `unsupported` says why. Such keys are listed, not signed with.
   */
  readonly publicKey: PublicKey | undefined;
  readonly unsupported: string | undefined;
}

/** uint32 length ‖ payload */
export function frame(payload: Uint8Array): Uint8Array {
  return new SshWriter(payload.length + 4)
    .writeUint32(payload.length)
    .writeBytes(payload)
    .toBytes();
}

export function encodeRequestIdentities(): Uint8Array {
  return frame(Uint8Array.of(AgentMsg.SSH_AGENTC_REQUEST_IDENTITIES));
}

export function encodeSignRequest(blob: Uint8Array, data: Uint8Array, flags: number): Uint8Array {
  const w = new SshWriter(blob.length + data.length + 16)
    .writeByte(AgentMsg.SSH_AGENTC_SIGN_REQUEST)
    .writeString(blob)
    .writeString(data)
    .writeUint32(flags);
  return frame(w.toBytes());
}

/**
 * Reassembles replies from stream chunks. The length is checked against the bound as soon as
 * its four bytes are in, so an oversized reply is refused before any of it is buffered.
 */
export class ReplyFramer {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private readonly max: number;

  constructor(max = MAX_AGENT_REPLY_LEN) {
    this.max = max;
  }

  /** Bytes received beyond the last complete reply. */
  get pending(): number {
    return this.buffered;
  }

  /** Adds a chunk; returns a complete reply payload once there is one (at most one per call). */
  push(chunk: Uint8Array): Uint8Array | undefined {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    if (this.buffered < 4) return undefined;
    const all = this.flatten();
    const len = new DataView(all.buffer, all.byteOffset, 4).getUint32(0, false);
    if (len === 0) throw new AgentError('protocol', 'agent sent an empty reply');
    if (len > this.max) {
      throw new AgentError(
        'protocol',
        `agent reply of ${len} bytes exceeds the ${this.max}-byte limit`,
        {
          length: len,
          limit: this.max,
        },
      );
    }
    if (all.length < 4 + len) return undefined;
    const payload = all.slice(4, 4 + len);
    const rest = all.subarray(4 + len);
    this.chunks = rest.length > 0 ? [rest.slice()] : [];
    this.buffered = rest.length;
    return payload;
  }

  private flatten(): Uint8Array {
    if (this.chunks.length === 1) return this.chunks[0] ?? new Uint8Array(0);
    const out = new Uint8Array(this.buffered);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    this.chunks = [out];
    return out;
  }
}

function isFailure(type: number): boolean {
  return (
    type === AgentMsg.SSH_AGENT_FAILURE ||
    type === AgentMsg.SSH2_AGENT_FAILURE ||
    type === AgentMsg.SSH_COM_AGENT2_FAILURE
  );
}

/** Reads the type byte; FAILURE and unexpected types become AgentErrors. */
function expectType(payload: Uint8Array, want: number, what: string): SshReader {
  const r = new SshReader(payload, what);
  const type = r.readByte();
  if (isFailure(type)) throw new AgentError('refused', `agent refused the ${what}`, { type });
  if (type !== want) {
    throw new AgentError('protocol', `agent answered the ${what} with message type ${type}`, {
      type,
      expected: want,
    });
  }
  return r;
}

/** Runs a parser, turning the reader's ProtocolError into AgentError('protocol'). */
function parsing<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ProtocolError) {
      throw new AgentError(
        'protocol',
        `malformed ${what} from agent: ${e.message}`,
        {},
        { cause: e },
      );
    }
    throw e;
  }
}

const lenientUtf8 = new TextDecoder('utf-8', { fatal: false });

/** One identity: the key is parsed if the engine supports its type; otherwise kept, marked. */
function identity(blob: Uint8Array, comment: string): AgentKey {
  let type = '';
  try {
    type = new SshReader(blob, 'agent key blob').readAscii();
  } catch {
    return { blob, comment, type, publicKey: undefined, unsupported: 'unreadable key blob' };
  }
  try {
    return { blob, comment, type, publicKey: parsePublicKey(blob), unsupported: undefined };
  } catch (e) {
    if (e instanceof KeyFormatError || e instanceof ProtocolError) {
      return { blob, comment, type, publicKey: undefined, unsupported: e.message };
    }
    throw e;
  }
}

/** SSH_AGENT_IDENTITIES_ANSWER → keys, in the agent's order. */
export function decodeIdentitiesAnswer(
  payload: Uint8Array,
  maxIdentities = MAX_AGENT_IDENTITIES,
): AgentKey[] {
  return parsing('identities answer', () => {
    const r = expectType(payload, AgentMsg.SSH_AGENT_IDENTITIES_ANSWER, 'identities request');
    const n = r.readUint32();
    if (n > maxIdentities) {
      throw new AgentError(
        'protocol',
        `agent lists ${n} identities, more than the limit of ${maxIdentities}`,
        {
          count: n,
          limit: maxIdentities,
        },
      );
    }
    const keys: AgentKey[] = [];
    for (let i = 0; i < n; i++) {
      const blob = r.readString().slice();
      const comment = lenientUtf8.decode(r.readString());
      keys.push(identity(blob, comment));
    }
    r.expectEnd();
    return keys;
  });
}

/** SSH_AGENT_SIGN_RESPONSE → the signature blob (string algorithm ‖ string signature). */
export function decodeSignResponse(payload: Uint8Array): Uint8Array {
  return parsing('sign response', () => {
    const r = expectType(payload, AgentMsg.SSH_AGENT_SIGN_RESPONSE, 'sign request');
    const sig = r.readString().slice();
    r.expectEnd();
    return sig;
  });
}
