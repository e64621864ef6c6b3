/**
 * The keys offered to the server, in OpenSSH's order (ssh(1) pubkey_prepare): agent keys that
 * match an IdentityFile, then the agent's other keys (not with IdentitiesOnly), then identity
 * files the agent does not hold. A file is offered by its public half (from the file itself,
 * or its .pub) and decrypted only when the server says it would accept it.
 */
import type { KeyCandidate } from '../auth/client.js';
import { AgentClient, agentSigner } from '../agent/index.js';
import {
  isPkcs11Uri,
  loadPrivateKeyFile,
  loadPublicKeyFile,
  readPrivateKeyFileInfo,
  PassphraseCancelledError,
  WrongPassphraseError,
  type PassphraseCallback,
  type PinCallback,
} from '../keys/index.js';
import { hostKeyAlgorithmKeyType, signatureAlgorithmsFor } from '../crypto/hostkey/index.js';
import type { PublicKey } from '../crypto/hostkey/types.js';
import { SshError } from '../errors.js';
import { openTokenIdentities, type TokenIdentities } from './token-identities.js';

export interface IdentityOptions {
  /** IdentityFile paths, already expanded. */
  readonly files: readonly string[];
  /** Whether the files were named by the user (a missing one is then worth a warning). */
  readonly explicit: boolean;
  readonly identitiesOnly: boolean;
  /** Agent socket path, or null for no agent. */
  readonly agentPath: string | null;
  readonly passphrase?: PassphraseCallback;
  /** PKCS11Provider: a module whose every token key is offered. */
  readonly pkcs11Provider?: string;
  /** Asks for a token's PIN (pkcs11: identities and PKCS11Provider keys). */
  readonly pin?: PinCallback;
  readonly warn: (message: string) => void;
}

function isFsError(e: unknown): boolean {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string';
}

/** The cause of a key-loading failure, without a leading copy of the path. */
function why(e: unknown, path: string): string {
  if (e instanceof WrongPassphraseError)
    return 'incorrect passphrase supplied to decrypt private key';
  const sys = (e as NodeJS.ErrnoException).code;
  if (sys === 'ENOENT' || sys === 'ENOTDIR') return 'No such file or directory';
  if (sys === 'EACCES') return 'Permission denied';
  const m = e instanceof Error ? e.message : String(e);
  return m.startsWith(`${path}: `) ? m.slice(path.length + 2) : m;
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

/**
 * A key file offered by its public half. Its private half is loaded when the server would take
 * it. As in ssh(1), a key whose passphrase is not given or is wrong at every attempt is
 * skipped (the wrong passphrase said once) and authentication goes on with the next key or
 * method.
 */
function fileCandidate(
  path: string,
  publicKey: PublicKey,
  warn: (message: string) => void,
  passphrase?: PassphraseCallback,
): KeyCandidate {
  return {
    publicKey,
    algorithms: keyAlgorithms(publicKey),
    source: path,
    signer: async () => {
      try {
        return await loadPrivateKeyFile(path, passphrase ? { passphrase } : {});
      } catch (e) {
        if (e instanceof PassphraseCancelledError) return null;
        if (e instanceof SshError || isFsError(e)) {
          // a wrong passphrase, a file changed since it was offered, bad permissions
          warn(`Load key "${path}": ${why(e, path)}`);
          return null;
        }
        throw e;
      }
    },
  };
}

export interface Identities {
  readonly candidates: KeyCandidate[];
  /** The agent connection, to close with the SSH connection. */
  readonly agent: AgentClient | null;
  /** Closes the agent connection and the tokens' sessions and modules. */
  close(): void;
}

export async function gatherIdentities(o: IdentityOptions): Promise<Identities> {
  // token keys come first among the identities, as ssh loads PKCS#11 keys before files
  const tokens: TokenIdentities = openTokenIdentities(o);
  const files: { path: string; key: PublicKey | null }[] = [...tokens.entries];
  for (const path of o.files) {
    if (isPkcs11Uri(path)) continue;
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
        if (e instanceof PassphraseCancelledError) {
          // not given: the key is skipped, as ssh does
        } else if (code === 'ENOENT' || code === 'ENOTDIR') {
          if (o.explicit) o.warn(`Warning: Identity file ${path} not accessible: ${why(e, path)}.`);
        } else {
          o.warn(`Load key "${path}": ${why(e, path)}`);
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
    out.push(tokens.candidate(f.path) ?? fileCandidate(f.path, f.key, o.warn, o.passphrase));
  }
  const agentClient = agent;
  return {
    candidates: out,
    agent,
    close: () => {
      agentClient?.close();
      tokens.close();
    },
  };
}
