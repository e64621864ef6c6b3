/**
 * The keys offered to the server, in OpenSSH's order (ssh(1) pubkey_prepare): agent keys that
 * match an IdentityFile, then the agent's other keys (not with IdentitiesOnly), then identity
 * files the agent does not hold. A file is offered by its public half (from the file itself,
 * or its .pub) and decrypted only when the server says it would accept it.
 */
import type { KeyCandidate } from '../auth/client.js';
import { AgentClient, agentSigner } from '../agent/index.js';
import {
  loadPrivateKeyFile,
  loadPublicKeyFile,
  readPrivateKeyFileInfo,
  type PassphraseCallback,
} from '../keys/index.js';
import { hostKeyAlgorithmKeyType, signatureAlgorithmsFor } from '../crypto/hostkey/index.js';
import type { PublicKey } from '../crypto/hostkey/types.js';

export interface IdentityOptions {
  /** IdentityFile paths, already expanded. */
  readonly files: readonly string[];
  /** Whether the files were named by the user (a missing one is then worth a warning). */
  readonly explicit: boolean;
  readonly identitiesOnly: boolean;
  /** Agent socket path, or null for no agent. */
  readonly agentPath: string | null;
  readonly passphrase?: PassphraseCallback;
  readonly warn: (message: string) => void;
}

function keyId(k: PublicKey): string {
  return Buffer.from(k.blob).toString('base64');
}

async function filePublicKey(path: string): Promise<PublicKey | null> {
  try {
    const info = await readPrivateKeyFileInfo(path);
    if (info.publicKey) return info.publicKey;
  } catch {
    // fall through to the .pub file
  }
  try {
    return (await loadPublicKeyFile(`${path}.pub`)).publicKey;
  } catch {
    return null;
  }
}

/** The signature algorithms a key of this type can make (RSA: SHA-2 first). */
function keyAlgorithms(publicKey: PublicKey): readonly string[] {
  const type = hostKeyAlgorithmKeyType(publicKey.type);
  return type ? signatureAlgorithmsFor(type) : [publicKey.type];
}

function fileCandidate(
  path: string,
  publicKey: PublicKey,
  passphrase?: PassphraseCallback,
): KeyCandidate {
  return {
    publicKey,
    algorithms: keyAlgorithms(publicKey),
    source: path,
    signer: () => loadPrivateKeyFile(path, passphrase ? { passphrase } : {}),
  };
}

export interface Identities {
  readonly candidates: KeyCandidate[];
  /** The agent connection, to close with the SSH connection. */
  readonly agent: AgentClient | null;
}

export async function gatherIdentities(o: IdentityOptions): Promise<Identities> {
  const files: { path: string; key: PublicKey | null }[] = [];
  for (const path of o.files) {
    const key = await filePublicKey(path);
    if (key === null) {
      try {
        // no public half available without decrypting: load it now (may prompt)
        const signer = await loadPrivateKeyFile(
          path,
          o.passphrase ? { passphrase: o.passphrase } : {},
        );
        files.push({ path, key: signer.publicKey });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (o.explicit || (code !== 'ENOENT' && code !== 'ENOTDIR')) {
          o.warn(
            `Warning: Identity file ${path} not accessible: ${e instanceof Error ? e.message : String(e)}.`,
          );
        }
      }
      continue;
    }
    files.push({ path, key });
  }
  const out: KeyCandidate[] = [];
  const seen = new Set<string>();
  let agent: AgentClient | null = null;
  if (o.agentPath !== null) {
    agent = new AgentClient(o.agentPath);
    try {
      const keys = (await agent.listIdentities()).filter((k) => k.publicKey !== undefined);
      const inFiles = new Set(files.flatMap((f) => (f.key ? [keyId(f.key)] : [])));
      const ordered = [
        ...keys.filter((k) => k.publicKey && inFiles.has(keyId(k.publicKey))),
        ...(o.identitiesOnly
          ? []
          : keys.filter((k) => k.publicKey && !inFiles.has(keyId(k.publicKey)))),
      ];
      for (const k of ordered) {
        const signer = agentSigner(agent, k);
        seen.add(keyId(signer.publicKey));
        out.push({
          publicKey: signer.publicKey,
          algorithms: signer.algorithms,
          source: 'agent',
          signer: async () => signer,
        });
      }
    } catch (e) {
      o.warn(
        `Warning: could not use the agent at ${o.agentPath}: ${e instanceof Error ? e.message : String(e)}`,
      );
      agent.close();
      agent = null;
    }
  }
  for (const f of files) {
    if (!f.key || seen.has(keyId(f.key))) continue;
    seen.add(keyId(f.key));
    out.push(fileCandidate(f.path, f.key, o.passphrase));
  }
  return { candidates: out, agent };
}
