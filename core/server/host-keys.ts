/**
 * The bundled sshd's host keys: ssh_host_ed25519_key, ssh_host_ecdsa_key (nistp256) and
 * ssh_host_rsa_key (3072 bits) in its data directory, made on first start as ssh-keygen -A
 * makes them (openssh-key-v1, 0600, with a .pub), loaded as they are afterwards. The directory
 * is created 0700. A key file that exists but cannot be used stops the server with the
 * file's name and the cause: it is never silently replaced.
 */
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { HostKeyPair } from '../crypto/hostkey/types.js';
import { ConfigError } from '../errors.js';
import {
  KeyFileExistsError,
  loadPrivateKeyFile,
  writeNewKeyFile,
  type GeneratedKeyType,
} from '../keys/index.js';

export const HOST_KEY_FILES: readonly { readonly file: string; readonly type: GeneratedKeyType }[] =
  [
    { file: 'ssh_host_ed25519_key', type: 'ssh-ed25519' },
    { file: 'ssh_host_ecdsa_key', type: 'ecdsa-sha2-nistp256' },
    { file: 'ssh_host_rsa_key', type: 'ssh-rsa' },
  ];

export interface LoadedHostKey {
  readonly path: string;
  readonly key: HostKeyPair;
  /** Whether this start made it. */
  readonly created: boolean;
}

export async function loadOrCreateHostKeys(dataDir: string): Promise<LoadedHostKey[]> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const out: LoadedHostKey[] = [];
  for (const { file, type } of HOST_KEY_FILES) {
    const path = join(dataDir, file);
    let created = false;
    try {
      await writeNewKeyFile(path, type, { comment: `root@${hostname()}` });
      created = true;
    } catch (e) {
      if (!(e instanceof KeyFileExistsError)) throw e;
    }
    try {
      const signer = await loadPrivateKeyFile(path);
      if (signer.publicKey.type !== (type === 'ssh-rsa' ? 'ssh-rsa' : type)) {
        throw new ConfigError(`${path} holds a ${signer.publicKey.type} key, not ${type}`);
      }
      out.push({ path, key: signer.hostKeyPair(), created });
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new ConfigError(`host key ${path} cannot be used: ${why}`, { path }, { cause: e });
    }
  }
  return out;
}
