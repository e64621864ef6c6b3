/**
 * The keys a terminal tab handles itself instead of sending them to the shell (the usual
 * terminal-emulator conventions, as in GNOME Terminal and Windows Terminal): Ctrl+Shift+C copy
 * the selection, Ctrl+Shift+V paste, Ctrl+Shift+F find, Ctrl+= / Ctrl++ / Ctrl+- / Ctrl+0 font
 * zoom. Plain Ctrl+C/V/F stay the shell's. Classified by physical key (`code`) so keyboard
 * layouts do not change them, except that Ctrl++ is also accepted by `key`.
 */
export type TerminalCommand = 'copy' | 'paste' | 'find' | 'zoomIn' | 'zoomOut' | 'zoomReset';

export function terminalCommand(ev: KeyboardEvent): TerminalCommand | null {
  if (ev.type !== 'keydown' || !ev.ctrlKey || ev.altKey || ev.metaKey) return null;
  if (ev.shiftKey) {
    if (ev.code === 'KeyC') return 'copy';
    if (ev.code === 'KeyV') return 'paste';
    if (ev.code === 'KeyF') return 'find';
  }
  if (ev.code === 'Equal' || ev.code === 'NumpadAdd' || ev.key === '+') return 'zoomIn';
  if (ev.code === 'Minus' || ev.code === 'NumpadSubtract') return 'zoomOut';
  if (!ev.shiftKey && (ev.code === 'Digit0' || ev.code === 'Numpad0')) return 'zoomReset';
  return null;
}

/** Font sizes a zoom steps through (px). */
export const FONT_SIZE_DEFAULT = 14;
export const FONT_SIZE_MIN = 8;
export const FONT_SIZE_MAX = 32;

export function zoomed(size: number, command: 'zoomIn' | 'zoomOut' | 'zoomReset'): number {
  if (command === 'zoomReset') return FONT_SIZE_DEFAULT;
  const next = size + (command === 'zoomIn' ? 1 : -1);
  return Math.min(FONT_SIZE_MAX, Math.max(FONT_SIZE_MIN, next));
}

/**
 * Whether a link the terminal found may be opened: http(s) only (web-links matches no other
 * scheme, and Electron main's externalUrlAllowed checks again before the system browser).
 */
export function linkAllowed(uri: string): boolean {
  return /^https?:\/\/[^\s]+$/i.test(uri);
}
