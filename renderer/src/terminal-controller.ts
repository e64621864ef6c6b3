/**
 * One terminal tab's xterm.js instance, kept outside React state (CONVENTIONS §14): it owns the
 * Terminal and its addons (fit, webgl with the DOM fallback, unicode11, web-links, and search
 * loaded on first use) and their disposal; the component only lends it a container. Flow
 * control end to end (CONVENTIONS §13): output is written with term.write(bytes, cb) and
 * acknowledged to the service from the callback, once xterm has parsed it; input goes to
 * writeTerminal; the fit addon follows the container (ResizeObserver, throttled) and sends the
 * pty size. The tab's own keys (terminal-keys.ts): copy, paste, find, font zoom.
 */
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Terminal } from '@xterm/xterm';
import type { ServiceApi } from '../../core/service/api/contract.js';
import { FONT_SIZE_DEFAULT, linkAllowed, terminalCommand, zoomed } from './terminal-keys.js';
import { WebglRenderer, type RendererKind } from './terminal-webgl.js';

const RESIZE_THROTTLE_MS = 80;

export interface TerminalControllerOptions {
  readonly api: ServiceApi;
  readonly onError: (e: unknown) => void;
  /** Keys the app handles (tab shortcuts): xterm lets them through instead of sending them. */
  readonly isAppShortcut: (ev: KeyboardEvent) => boolean;
  readonly dark: boolean;
}

const LIGHT = {
  background: '#ffffff',
  foreground: '#1e1e1e',
  cursor: '#1e1e1e',
  selectionBackground: '#add6ff',
  selectionInactiveBackground: '#c8d8ea',
};
const DARK = {
  background: '#1b1d23',
  foreground: '#d8dee9',
  cursor: '#d8dee9',
  selectionBackground: '#264f78',
  selectionInactiveBackground: '#3a4556',
};
/** How search matches are marked (all matches, and the current one). */
const MATCHES = {
  decorations: {
    matchBackground: '#fde68a',
    matchOverviewRuler: '#d4a017',
    activeMatchBackground: '#f59e0b',
    activeMatchColorOverviewRuler: '#f59e0b',
  },
};

/** Most input kept while a new tab's shell is being opened. */
const EARLY_INPUT_MAX = 64 * 1024;

export class TerminalController {
  readonly term: Terminal;
  private readonly fit = new FitAddon();
  private readonly gpu: WebglRenderer;
  private search: SearchAddon | null = null;
  private terminalId: string | null = null;
  /** Input typed before the first bind (null once bound: an ended shell takes no input). */
  private early: string[] | null = [];
  private earlyLength = 0;
  private observer: ResizeObserver | null = null;
  private resizeTimer: ReturnType<typeof setTimeout> | null = null;
  private sentSize = { cols: 0, rows: 0 };
  private disposed = false;
  private findListener: (() => void) | null = null;

  constructor(private readonly o: TerminalControllerOptions) {
    this.term = new Terminal({
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, monospace',
      fontSize: FONT_SIZE_DEFAULT,
      scrollback: 5000,
      theme: o.dark ? DARK : LIGHT,
      // unicode11's width tables are a proposed API of xterm
      allowProposedApi: true,
    });
    this.gpu = new WebglRenderer((kind) => this.showRenderer(kind));
    this.term.loadAddon(this.fit);
    this.term.loadAddon(new Unicode11Addon());
    this.term.unicode.activeVersion = '11';
    this.term.loadAddon(new WebLinksAddon((_ev, uri) => openLink(uri)));
    this.term.attachCustomKeyEventHandler((ev) => this.onKey(ev));
    this.term.onData((data) => {
      if (this.terminalId !== null)
        this.o.api.writeTerminal({ terminalId: this.terminalId, data }).catch(this.o.onError);
      else if (this.early !== null && this.earlyLength + data.length <= EARLY_INPUT_MAX) {
        // typed before the shell is there: it goes out once the terminal is bound
        this.early.push(data);
        this.earlyLength += data.length;
      }
    });
  }

  /** Puts the terminal into `el` (once) and fits it; returns the size to open the pty with. */
  attach(el: HTMLElement): { cols: number; rows: number } {
    if (!this.term.element) {
      this.term.open(el);
      this.gpu.load(this.term);
    } else if (this.term.element.parentElement !== el) el.append(this.term.element);
    this.showRenderer(this.gpu.kind);
    this.fitNow();
    this.observer?.disconnect();
    this.observer = new ResizeObserver(() => this.scheduleFit());
    this.observer.observe(el);
    return { cols: this.term.cols, rows: this.term.rows };
  }

  /** The service's terminal is open: input and resizes go to it from now on. */
  bind(terminalId: string): void {
    this.terminalId = terminalId;
    const early = this.early?.join('') ?? '';
    this.early = null;
    if (early !== '') this.o.api.writeTerminal({ terminalId, data: early }).catch(this.o.onError);
    this.sentSize = { cols: this.term.cols, rows: this.term.rows };
    this.scheduleFit();
  }

  /** The service's terminal is gone (shell ended, connection dropped): nothing more goes to it. */
  unbind(): void {
    this.terminalId = null;
  }

  /** Output from the service, acknowledged once xterm has parsed it. */
  write(data: Uint8Array): void {
    if (this.disposed) return;
    const id = this.terminalId;
    this.term.write(data, () => {
      if (id !== null && !this.disposed)
        this.o.api.ackTerminal({ terminalId: id, bytes: data.byteLength }).catch(() => {});
    });
  }

  /** A line from the app itself (not the remote side), dimmed. */
  notice(text: string): void {
    this.term.write(`\r\n\x1b[2m${text}\x1b[0m\r\n`);
  }

  focus(): void {
    this.term.focus();
  }

  setDark(dark: boolean): void {
    this.term.options.theme = dark ? DARK : LIGHT;
  }

  /** Ctrl+Shift+F in the terminal: the tab opens its search box. */
  onFind(listener: (() => void) | null): void {
    this.findListener = listener;
  }

  /** Selects the next (or previous) match of `text`; false when there is none. */
  find(text: string, backwards = false): boolean {
    if (text === '') return false;
    if (this.search === null) {
      this.search = new SearchAddon();
      this.term.loadAddon(this.search);
    }
    return backwards
      ? this.search.findPrevious(text, MATCHES)
      : this.search.findNext(text, MATCHES);
  }

  endFind(): void {
    this.search?.clearDecorations();
    this.term.clearSelection();
    this.term.focus();
  }

  get fontSize(): number {
    return this.term.options.fontSize ?? FONT_SIZE_DEFAULT;
  }

  /** Font zoom (the keys, or the Electron menu's View items). */
  zoom(command: 'zoomIn' | 'zoomOut' | 'zoomReset'): void {
    this.term.options.fontSize = zoomed(this.fontSize, command);
    this.scheduleFit();
  }

  private onKey(ev: KeyboardEvent): boolean {
    if (this.o.isAppShortcut(ev)) return false;
    const command = terminalCommand(ev);
    if (command === null) return true;
    switch (command) {
      case 'copy':
        ev.preventDefault();
        this.copy();
        break;
      case 'paste':
        // not prevented: the browser's own paste (Ctrl+Shift+V is "paste as plain text") fires
        // on xterm's textarea, and xterm pastes it (bracketed when the shell asked); this needs
        // no clipboard permission, which Electron's window does not grant
        break;
      case 'find':
        ev.preventDefault();
        this.findListener?.();
        break;
      default:
        // the page's own zoom would scale the whole window instead
        ev.preventDefault();
        this.zoom(command);
    }
    return false;
  }

  /** The selection to the clipboard, through the copy event xterm answers (no permission). */
  private copy(): void {
    const text = this.term.getSelection();
    if (text === '') return;
    if (!document.execCommand('copy'))
      navigator.clipboard.writeText(text).catch((e: unknown) => this.o.onError(e));
  }

  private showRenderer(kind: RendererKind): void {
    const el = this.term.element?.parentElement;
    if (el) el.dataset['renderer'] = kind;
  }

  private scheduleFit(): void {
    if (this.resizeTimer !== null || this.disposed) return;
    this.resizeTimer = setTimeout(() => {
      this.resizeTimer = null;
      this.fitNow();
    }, RESIZE_THROTTLE_MS);
  }

  private fitNow(): void {
    const el = this.term.element?.parentElement;
    // a hidden tab has no size: keep the last one
    if (!el || el.clientWidth === 0 || el.clientHeight === 0) return;
    this.fit.fit();
    const { cols, rows } = this.term;
    if (this.terminalId === null) return;
    if (cols === this.sentSize.cols && rows === this.sentSize.rows) return;
    this.sentSize = { cols, rows };
    this.o.api.resizeTerminal({ terminalId: this.terminalId, cols, rows }).catch(this.o.onError);
  }

  dispose(): void {
    this.disposed = true;
    this.observer?.disconnect();
    if (this.resizeTimer !== null) clearTimeout(this.resizeTimer);
    this.term.dispose();
  }
}

/**
 * A link clicked in the terminal: a new browser tab without an opener in the browser host; in
 * Electron the window-open handler denies the window and hands allowed URLs to the system
 * browser (electron/main.ts).
 */
function openLink(uri: string): void {
  if (linkAllowed(uri)) window.open(uri, '_blank', 'noopener,noreferrer');
}
