/**
 * Runs the built `keyway` in a tmux pane (a real terminal, for prompts read from /dev/tty).
 * The pane prints "exit <status>" when keyway ends and stays open, so its screen can still be
 * read; kill() the returned Tmux when done.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTmux, type Tmux } from './tmux.js';

const bin = fileURLToPath(new URL('../../bin/keyway.js', import.meta.url));

export function keywayInTmux(
  dir: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Tmux {
  return startTmux({
    dir,
    cwd: dir,
    command: [
      'sh',
      '-c',
      '"$0" "$@"; echo "exit $?"; exec sleep 60',
      process.execPath,
      bin,
      ...args,
    ],
    env: {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOME: join(dir, 'home'),
      LANG: 'C',
      SSH_AUTH_SOCK: '',
      ...env,
    },
  });
}
