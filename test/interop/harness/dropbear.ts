// Dropbear for interop tests: host keys made with dropbearkey in a temp dir, `dropbear -F -E` in
// the foreground on 127.0.0.1 (chroot'd for trixie). Dropbear has no config file and no switch
// for algorithms: what it offers is fixed at build time. Password logins are off (-s) unless
// asked for; dropbear has no keyboard-interactive, so its methods are publickey[,password].
import { writeFile } from 'node:fs/promises';
import { makeDropbearHostKeys } from './hostkeys.js';
import { launch, withFreePort } from './process.js';
import { command, makeWorkdir } from './roots.js';
import type { DropbearOptions, HostKeyType, RunningServer } from './types.js';

const DROPBEAR = '/usr/sbin/dropbear';
/** Dropbear takes at most 4 -r files (MAX_HOSTKEYS), one key per type or ECDSA curve. */
const MAX_HOST_KEYS = 4;
/** All types but one curve: P-521 kept over P-384 for its odd-length (66-byte) scalars. */
const DEFAULT_HOST_KEY_TYPES: readonly HostKeyType[] = ['ed25519', 'ecdsa256', 'ecdsa521', 'rsa'];

export async function startDropbear(opts: DropbearOptions = {}): Promise<RunningServer> {
  const flavor = opts.flavor ?? 'bookworm';
  const authorizedKeys = opts.authorizedKeys ?? [];
  if (authorizedKeys.length > 0 && flavor !== 'trixie') {
    // 2022.83 has no -D: it reads only the login user's ~/.ssh/authorized_keys.
    throw new Error(
      'startDropbear: authorizedKeys needs flavor trixie (dropbear 2025.x, -D <dir>); for ' +
        "bookworm's dropbear write the test user's file with setTestUserAuthorizedKeys()",
    );
  }
  const types = opts.hostKeyTypes ?? DEFAULT_HOST_KEY_TYPES;
  if (new Set(types).size > MAX_HOST_KEYS) {
    throw new Error(`startDropbear: dropbear serves at most ${MAX_HOST_KEYS} host keys`);
  }
  const wd = await makeWorkdir(flavor, 'dropbear');
  try {
    const hostKeys = await makeDropbearHostKeys(flavor, wd, types);
    const args = ['-F', '-E', '-P', wd.server('dropbear.pid')];
    if (opts.passwords !== true) args.push('-s');
    for (const k of hostKeys) args.push('-r', wd.toServer(k.path));
    if (flavor === 'trixie') {
      await writeFile(wd.host('authorized_keys'), authorizedKeys.map((l) => `${l}\n`).join(''), {
        mode: 0o600,
      });
      args.push('-D', wd.serverPath);
    }
    args.push(...(opts.extraConfig ?? []));
    const launched = await withFreePort(async (port) => {
      const cmd = command(flavor, DROPBEAR, [...args, '-p', `127.0.0.1:${port}`]);
      return launch(cmd, port, `dropbear (${flavor})`, wd.hostPath).then((l) => ({ ...l, port }));
    });
    return {
      kind: 'dropbear',
      flavor,
      host: '127.0.0.1',
      port: launched.port,
      pid: launched.pid,
      version: launched.version,
      hostKeys,
      log: launched.log,
      stop: async () => {
        await launched.stop();
        await wd.remove();
      },
    };
  } catch (e) {
    await wd.remove();
    throw e;
  }
}
