/**
 * Agent keys as Signers (CONVENTIONS §9): the private key stays in the agent; sign() asks it.
 * RSA signature algorithms map to SIGN_REQUEST flags (RFC 8332 §3.3, PROTOCOL.agent):
 *   rsa-sha2-512 → SSH_AGENT_RSA_SHA2_512 (4), rsa-sha2-256 → SSH_AGENT_RSA_SHA2_256 (2),
 *   ssh-rsa and every other algorithm → 0.
 * The returned signature blob must name the algorithm asked for: an agent too old for the
 * flags answers ssh-rsa (SHA-1), which must not pass for rsa-sha2-*.
 */
import type { Signer } from '../auth/signer.js';
import {
  hostKeyAlgorithmKeyType,
  plainName,
  signatureAlgorithmsFor,
} from '../crypto/hostkey/algorithms.js';
import type { PublicKey } from '../crypto/hostkey/types.js';
import { AgentError, ProtocolError } from '../errors.js';
import { SshReader } from '../wire/reader.js';
import type { AgentClient } from './client.js';
import { SSH_AGENT_RSA_SHA2_256, SSH_AGENT_RSA_SHA2_512, type AgentKey } from './protocol.js';

/** What a Signer needs from the client (an AgentClient, or a fake in tests). */
export type AgentSigning = Pick<AgentClient, 'sign'>;

/** The SIGN_REQUEST flags for a signature algorithm. */
export function agentSignFlags(algorithm: string): number {
  algorithm = plainName(algorithm); // certificates: rsa-sha2-512-cert-v01@openssh.com too
  if (algorithm === 'rsa-sha2-512') return SSH_AGENT_RSA_SHA2_512;
  if (algorithm === 'rsa-sha2-256') return SSH_AGENT_RSA_SHA2_256;
  return 0;
}

class AgentSigner implements Signer {
  readonly publicKey: PublicKey;
  readonly comment: string;
  readonly source = 'agent';
  readonly algorithms: readonly string[];
  readonly #client: AgentSigning;

  constructor(client: AgentSigning, publicKey: PublicKey, comment: string) {
    this.#client = client;
    this.publicKey = publicKey;
    this.comment = comment;
    const type = hostKeyAlgorithmKeyType(publicKey.type);
    if (type === undefined) {
      throw new AgentError('unsupported', `agent key type ${publicKey.type} is not supported`);
    }
    this.algorithms = signatureAlgorithmsFor(type);
  }

  async sign(algorithm: string, data: Uint8Array): Promise<Uint8Array> {
    if (!this.algorithms.includes(algorithm)) {
      throw new AgentError(
        'unsupported',
        `agent key ${this.publicKey.type} cannot make ${algorithm} signatures`,
        { algorithm, keyType: this.publicKey.type },
      );
    }
    const sig = await this.#client.sign(this.publicKey.blob, data, agentSignFlags(algorithm));
    let named: string;
    try {
      const r = new SshReader(sig, 'agent signature blob');
      named = r.readAscii();
      r.readString();
      r.expectEnd();
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      throw new AgentError(
        'protocol',
        `malformed signature from agent: ${e.message}`,
        {},
        { cause: e },
      );
    }
    // a certificate key's signature names the plain algorithm (PROTOCOL.certkeys)
    if (named !== plainName(algorithm)) {
      throw new AgentError(
        'protocol',
        `agent returned a ${named} signature when asked for ${algorithm}`,
        {
          algorithm,
          named,
        },
      );
    }
    return sig;
  }
}

/** One agent key as a Signer; AgentError('unsupported') for a key the engine cannot use. */
export function agentSigner(client: AgentSigning, key: AgentKey): Signer {
  if (key.publicKey === undefined) {
    throw new AgentError(
      'unsupported',
      `agent key ${key.type || '(unreadable)'} "${key.comment}" is not supported: ${key.unsupported ?? 'unknown type'}`,
      { type: key.type, comment: key.comment },
    );
  }
  return new AgentSigner(client, key.publicKey, key.comment);
}

/**
 * The agent's usable keys as Signers, in the agent's order. Keys the engine cannot use
 * (security keys, certificates, unknown types) are left out; listIdentities() still shows them.
 */
export async function agentSigners(
  client: Pick<AgentClient, 'sign' | 'listIdentities'>,
): Promise<Signer[]> {
  const keys = await client.listIdentities();
  return keys.filter((k) => k.publicKey !== undefined).map((k) => agentSigner(client, k));
}
