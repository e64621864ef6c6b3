/**
 * The "Local demo" of `npm run demo` (issue 6): the bundled sshd (core/server) on a free
 * loopback port with throwaway keys, and a saved host profile that points at it, so a
 * newcomer's first minute needs nothing else installed.
 *
 * Everything lives in one new private directory (`dir`, under the OS temp dir unless given)
 * that close() removes: the sshd's host keys (made as `keyway sshd` makes them), an ed25519
 * client key with no passphrase, and the authorized_keys file holding it. The profile named
 * DEMO_PROFILE_NAME in `dataDir`'s profiles.json is added, or updated in place (same id) with
 * the new port and key, so repeated demos leave one entry. Sessions run as the current user,
 * as with `keyway sshd`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { writeNewKeyFile } from '../../keys/new-key-file.js';
import { loadOrCreateHostKeys } from '../../server/host-keys.js';
import { Sshd } from '../../server/sshd.js';
import type { Profile } from '../api/contract.js';
import { ProfilesStore } from '../hosts/profiles-store.js';

export const DEMO_PROFILE_NAME = 'Local demo';

export interface LocalDemoOptions {
  /** The app data directory whose profiles.json gets the profile. */
  readonly dataDir: string;
  /** Parent of the throwaway directory; default the OS temp dir. */
  readonly tempParent?: string;
  readonly log?: (line: string) => void;
}

export interface LocalDemo {
  readonly port: number;
  readonly user: string;
  /** The throwaway directory (keys, authorized_keys). */
  readonly dir: string;
  /** The client key the profile uses. */
  readonly keyPath: string;
  readonly profile: Profile;
  /** Stops the sshd (DISCONNECT to every client) and removes `dir`. */
  close(): Promise<void>;
}

/** Adds the demo profile, or updates the one already there; resolves with it as stored. */
export async function saveDemoProfile(
  dataDir: string,
  target: { readonly port: number; readonly user: string; readonly keyPath: string },
): Promise<Profile> {
  const store = new ProfilesStore(join(dataDir, 'profiles.json'));
  const { profiles } = await store.list();
  const existing = profiles.find((p) => p.name === DEMO_PROFILE_NAME);
  return store.save({
    ...(existing ? { id: existing.id } : {}),
    name: DEMO_PROFILE_NAME,
    host: '127.0.0.1',
    port: target.port,
    user: target.user,
    identityFiles: [target.keyPath],
    group: 'Demo',
  });
}

export async function startLocalDemo(o: LocalDemoOptions): Promise<LocalDemo> {
  const dir = await mkdtemp(join(o.tempParent ?? tmpdir(), 'keyway-demo-'));
  let sshd: Sshd | null = null;
  try {
    const hostKeys = await loadOrCreateHostKeys(join(dir, 'sshd'));
    const key = await writeNewKeyFile(join(dir, 'id_ed25519'), 'ssh-ed25519', {
      comment: 'keyway-local-demo',
    });
    const authorizedKeys = join(dir, 'authorized_keys');
    await writeFile(authorizedKeys, `${key.publicLine}\n`, { mode: 0o600 });
    sshd = await Sshd.start({
      hostKeys: hostKeys.map((k) => k.key),
      address: '127.0.0.1',
      port: 0,
      authorizedKeysFiles: [authorizedKeys],
      ...(o.log ? { log: o.log } : {}),
    });
    const port = sshd.address.port;
    const user = userInfo().username;
    const profile = await saveDemoProfile(o.dataDir, { port, user, keyPath: key.path });
    const running = sshd;
    return {
      port,
      user,
      dir,
      keyPath: key.path,
      profile,
      close: async () => {
        await running.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await sshd?.close();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
