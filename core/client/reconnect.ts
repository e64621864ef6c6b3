/**
 * Reconnect, as autossh keeps a tunnel up (there is no OpenSSH option for it; Keyway's is
 * `-o Reconnect=yes`): when an established connection dies, connect again with exponential
 * backoff (doubling from `initialDelayMs`, capped at `maxDelayMs`, each delay shortened by a
 * random part of up to `jitter` so that many clients do not retry in step), report every step
 * as an event, and run the caller's hook on each new connection (forwards restore themselves
 * there). Errors that another try cannot fix end the retries at once: a host key that does not
 * match, authentication refused, bad configuration. A local close() (a clean end) or stop()
 * ends it too.
 */
import { ChannelOpenError, ConnectionLost, DisconnectedByPeer, TimeoutError } from '../errors.js';
import type { SshClient } from './connect.js';
import { JumpHostError } from './route-errors.js';

export interface BackoffOptions {
  /** Delay before the first retry. Default 1 s. */
  readonly initialDelayMs?: number;
  /** Longest delay. Default 60 s. */
  readonly maxDelayMs?: number;
  /** Fraction of a delay that is random (0…1). Default 0.25. */
  readonly jitter?: number;
}

/** The delay before retry `attempt` (1-based). `random` returns [0, 1). */
export function backoffDelay(
  attempt: number,
  o: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const initial = o.initialDelayMs ?? 1_000;
  const max = o.maxDelayMs ?? 60_000;
  const jitter = Math.min(1, Math.max(0, o.jitter ?? 0.25));
  const base = Math.min(max, initial * 2 ** Math.min(Math.max(attempt - 1, 0), 52));
  return Math.round(base * (1 - jitter * random()));
}

/** Whether connecting again may succeed after `e`: the network or the server went away. */
export function isRetryable(e: unknown): boolean {
  if (e instanceof JumpHostError) return e.stage !== 'connect' || isRetryable(e.cause);
  return (
    e instanceof ConnectionLost ||
    e instanceof TimeoutError ||
    e instanceof DisconnectedByPeer ||
    e instanceof ChannelOpenError
  );
}

export type ReconnectEvent =
  /** A connection is up; attempt 0 is the first one. */
  | { readonly kind: 'connected'; readonly attempt: number; readonly client: SshClient }
  /** The connection died. */
  | { readonly kind: 'lost'; readonly error: unknown }
  /** Attempt `attempt` starts in `delayMs`; `error` is why the last one failed (or the loss). */
  | {
      readonly kind: 'retrying';
      readonly attempt: number;
      readonly delayMs: number;
      readonly error: unknown;
    }
  /** The hook failed on a new connection (the connection stays). */
  | { readonly kind: 'hook-failed'; readonly error: unknown }
  /** No more attempts: `error` cannot be fixed by retrying, or maxAttempts were used. */
  | { readonly kind: 'gave-up'; readonly error: unknown };

export interface ReconnectOptions extends BackoffOptions {
  readonly connect: () => Promise<SshClient>;
  /** Runs on every new connection, the first included, before `connected` is reported. */
  readonly onConnect?: (client: SshClient, attempt: number) => void | Promise<void>;
  readonly onEvent?: (event: ReconnectEvent) => void;
  /** Attempts per outage before giving up. Default: no limit. */
  readonly maxAttempts?: number;
  readonly retryable?: (e: unknown) => boolean;
  readonly random?: () => number;
}

export class ReconnectingClient {
  /** Settles once it stops for good: null after stop() or a local close, else the last error. */
  readonly done: Promise<unknown>;
  private readonly o: ReconnectOptions;
  private client: SshClient | null = null;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;
  private finish: (e: unknown) => void = () => {};

  constructor(o: ReconnectOptions) {
    this.o = o;
    this.done = new Promise((resolve) => (this.finish = resolve));
  }

  /** The connection now up (its hook has run), or null between connections. */
  get current(): SshClient | null {
    return this.client;
  }

  /**
   * Makes the first connection. It failing rejects (nothing was up to be kept up) and ends
   * this object; after it succeeds, losses are retried.
   */
  async start(): Promise<SshClient> {
    let client: SshClient;
    try {
      client = await this.o.connect();
    } catch (e) {
      this.end(e);
      throw e;
    }
    await this.adopt(client, 0);
    return client;
  }

  /** Stops retrying and closes the connection. */
  stop(): void {
    if (this.stopped) return;
    this.client?.close();
    this.end(null);
  }

  private async adopt(client: SshClient, attempt: number): Promise<void> {
    if (this.stopped) {
      client.close();
      return;
    }
    try {
      await this.o.onConnect?.(client, attempt);
    } catch (e) {
      this.emit({ kind: 'hook-failed', error: e });
    }
    if (this.stopped) {
      client.close();
      return;
    }
    this.client = client;
    this.emit({ kind: 'connected', attempt, client });
    void client.closed.then((error) => {
      if (this.client === client) this.client = null;
      if (this.stopped) return;
      if (error === null) return this.end(null); // closed on purpose
      this.emit({ kind: 'lost', error });
      void this.retry(error);
    });
  }

  private async retry(lost: unknown): Promise<void> {
    const retryable = this.o.retryable ?? isRetryable;
    const max = this.o.maxAttempts ?? Infinity;
    let error = lost;
    for (let attempt = 1; !this.stopped; attempt++) {
      if (!retryable(error) || attempt > max) {
        this.emit({ kind: 'gave-up', error });
        return this.end(error);
      }
      const delayMs = backoffDelay(attempt, this.o, this.o.random);
      this.emit({ kind: 'retrying', attempt, delayMs, error });
      await this.sleep(delayMs);
      if (this.stopped) return;
      try {
        const client = await this.o.connect();
        return await this.adopt(client, attempt);
      } catch (e) {
        error = e;
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }

  private end(e: unknown): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.wake?.();
    this.wake = null;
    this.finish(e);
  }

  private emit(e: ReconnectEvent): void {
    try {
      this.o.onEvent?.(e);
    } catch {
      // a listener's failure is not the connection's
    }
  }
}
