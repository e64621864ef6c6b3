/**
 * Keepalive probes (ssh_config ServerAliveInterval / ServerAliveCountMax, sshd_config
 * ClientAliveInterval / ClientAliveCountMax; the probe is OpenSSH's keepalive@openssh.com
 * global request with want-reply, which any peer answers, if only with REQUEST_FAILURE).
 *
 * After `intervalMs` with nothing received a probe goes out, and another after every further
 * interval of silence. Anything received resets the count. The peer is declared dead once
 * nothing has arrived for intervalMs × countMax and at least one probe is unanswered: the
 * figure ssh_config(5) gives ("ServerAliveInterval 15 … will disconnect after approximately
 * 45 seconds" with the default count of 3). OpenSSH's own loop waits one interval more
 * (it disconnects when it would send probe countMax + 1).
 */

export interface KeepaliveOptions {
  readonly intervalMs: number;
  readonly countMax: number;
  /** Sends one probe. */
  readonly probe: () => void;
  /** The peer is gone. Called at most once; the keepalive is stopped by then. */
  readonly onTimeout: () => void;
  readonly now?: () => number;
}

export class Keepalive {
  private readonly opts: KeepaliveOptions;
  private readonly now: () => number;
  private lastReceived: number;
  private unanswered = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(opts: KeepaliveOptions) {
    if (!(opts.intervalMs > 0) || !Number.isInteger(opts.countMax) || opts.countMax < 1) {
      throw new RangeError('keepalive needs an interval > 0 and a count ≥ 1');
    }
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    this.lastReceived = this.now();
    this.schedule(opts.intervalMs);
  }

  /** Unanswered probes since the peer was last heard from. */
  get outstanding(): number {
    return this.unanswered;
  }

  /** Something arrived from the peer. */
  received(): void {
    this.lastReceived = this.now();
    this.unanswered = 0;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.tick(), Math.max(1, ms));
  }

  private tick(): void {
    this.timer = null;
    if (this.stopped) return;
    const { intervalMs, countMax } = this.opts;
    const silent = this.now() - this.lastReceived;
    if (silent < intervalMs) return this.schedule(intervalMs - silent);
    // Ticks come an interval apart while the peer is silent, so k unanswered probes mean
    // (k + 1) × interval of silence: counting avoids timer-rounding at the boundary.
    if (this.unanswered >= Math.max(1, countMax - 1)) {
      this.stop();
      this.opts.onTimeout();
      return;
    }
    this.unanswered++;
    this.opts.probe();
    this.schedule(intervalMs);
  }
}
