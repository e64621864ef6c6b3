/**
 * The app's keyboard shortcuts, in one place so xterm (which would otherwise send the keys to
 * the shell) and the window's handler agree: Ctrl+Shift+T a new terminal tab, Ctrl+Shift+W
 * close the tab (the terminal convention: plain Ctrl+T/W belong to the shell and the browser).
 */
export function isNewTabShortcut(ev: KeyboardEvent): boolean {
  return ev.type === 'keydown' && ev.ctrlKey && ev.shiftKey && !ev.altKey && ev.code === 'KeyT';
}

export function isCloseTabShortcut(ev: KeyboardEvent): boolean {
  return ev.type === 'keydown' && ev.ctrlKey && ev.shiftKey && !ev.altKey && ev.code === 'KeyW';
}
