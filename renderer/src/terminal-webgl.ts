/**
 * The GPU renderer of a terminal tab (xterm.js's addon-webgl) with the DOM renderer as the
 * fallback (CONVENTIONS §14): where WebGL2 is missing (headless Chromium with --disable-gpu, a
 * blocklisted driver) loading fails and xterm keeps its DOM renderer; when the GPU context is
 * lost later (driver reset, too many contexts) the addon is disposed and xterm goes back to
 * the DOM renderer, as xterm.js's documentation advises. Which one draws is reported through
 * `onChange` so the tab can show it (data-renderer on its container).
 */
import { WebglAddon } from '@xterm/addon-webgl';
import type { Terminal } from '@xterm/xterm';

export type RendererKind = 'webgl' | 'dom';

export class WebglRenderer {
  private addon: WebglAddon | null = null;
  private current: RendererKind = 'dom';

  constructor(private readonly onChange: (kind: RendererKind) => void) {}

  get kind(): RendererKind {
    return this.current;
  }

  /** Tries the GPU renderer on an opened terminal; stays on the DOM one if it cannot. */
  load(term: Terminal): void {
    if (this.addon !== null) return;
    let addon: WebglAddon | null = null;
    try {
      addon = new WebglAddon();
      addon.onContextLoss(() => this.fallBack());
      term.loadAddon(addon);
    } catch {
      addon?.dispose();
      this.set('dom');
      return;
    }
    this.addon = addon;
    this.set('webgl');
  }

  /** Disposes the GPU renderer; xterm draws with the DOM renderer from then on. */
  fallBack(): void {
    const addon = this.addon;
    this.addon = null;
    addon?.dispose();
    this.set('dom');
  }

  private set(kind: RendererKind): void {
    this.current = kind;
    this.onChange(kind);
  }
}
