/**
 * One terminal tab's xterm.js instance, kept outside React state (CONVENTIONS §14): it owns the
 * Terminal and its fit addon; the component only lends it a container. Flow control end to end
 * (CONVENTIONS §13): output is written with term.write(bytes, cb) and acknowledged to the
 * service from the callback, once xterm has parsed it; input goes to writeTerminal; the fit
 * addon follows the container (ResizeObserver, throttled) and sends the pty size.
 */
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import type { ServiceApi } from '../../core/service/api/contract.js';

const RESIZE_THROTTLE_MS = 80;

export interface TerminalControllerOptions {
  readonly api: ServiceApi;
  readonly onError: (e: unknown) => void;
  /** Keys the app handles (tab shortcuts): xterm lets them through instead of sending them. */
  readonly isAppShortcut: (ev: KeyboardEvent) => boolean;
  readonly dark: boolean;
}

const LIGHT = { background: '#ffffff', foreground: '#1e1e1e', cursor: '#1e1e1e' };
const DARK = { background: '#1b1d23', foreground: '#d8dee9', cursor: '#d8dee9' };

export class TerminalController {
  readonly term: Terminal;
  private readonly fit = new FitAddon();
  private terminalId: string | null = null;
  private observer: ResizeObserver | null = null;
  private resizeTimer: ReturnType<typeof setTimeout> | null = null;
  private sentSize = { cols: 0, rows: 0 };
  private disposed = false;

  constructor(private readonly o: TerminalControllerOptions) {
    this.term = new Terminal({
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, monospace',
      fontSize: 14,
      scrollback: 5000,
      theme: o.dark ? DARK : LIGHT,
    });
    this.term.loadAddon(this.fit);
    this.term.attachCustomKeyEventHandler((ev) => !o.isAppShortcut(ev));
    this.term.onData((data) => {
      if (this.terminalId !== null)
        this.o.api.writeTerminal({ terminalId: this.terminalId, data }).catch(this.o.onError);
    });
  }

  /** Puts the terminal into `el` (once) and fits it; returns the size to open the pty with. */
  attach(el: HTMLElement): { cols: number; rows: number } {
    if (!this.term.element) this.term.open(el);
    else if (this.term.element.parentElement !== el) el.append(this.term.element);
    this.fitNow();
    this.observer?.disconnect();
    this.observer = new ResizeObserver(() => this.scheduleFit());
    this.observer.observe(el);
    return { cols: this.term.cols, rows: this.term.rows };
  }

  /** The service's terminal is open: input and resizes go to it from now on. */
  bind(terminalId: string): void {
    this.terminalId = terminalId;
    this.sentSize = { cols: this.term.cols, rows: this.term.rows };
    this.scheduleFit();
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
