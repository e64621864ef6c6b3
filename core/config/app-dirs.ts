/**
 * Where Keyway keeps its own data: the directory Electron's app.getPath('userData') names for
 * an app called "Keyway", so the command-line tools and the desktop app share it.
 *   Linux    $XDG_CONFIG_HOME/Keyway, or ~/.config/Keyway
 *   macOS    ~/Library/Application Support/Keyway
 *   Windows  %APPDATA%\Keyway
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function appDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Keyway');
  if (platform === 'win32')
    return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), 'Keyway');
  const xdg = env['XDG_CONFIG_HOME'];
  return join(xdg !== undefined && xdg.startsWith('/') ? xdg : join(home, '.config'), 'Keyway');
}
