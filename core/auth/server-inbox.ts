/**
 * The server's inbound user-auth messages, handled strictly one at a time: RFC 4252 §5 lets
 * a client send several requests without waiting, and the server must answer each completely
 * before the next. Handlers are async (the caller's policy callbacks), so messages wait here,
 * at most `max` of them: a client that pipelines more is flooding.
 */
export class SerialInbox<T> {
  private queue: T[] = [];
  private running = false;

  constructor(
    private readonly handle: (item: T) => Promise<void>,
    /** A handler threw: the inbox is cleared and stays usable. */
    private readonly onError: (e: unknown) => void,
    private readonly max: number,
  ) {}

  /** Queues an item; false (nothing queued) when `max` are already waiting. */
  push(item: T): boolean {
    if (this.queue.length >= this.max) return false;
    this.queue.push(item);
    if (!this.running) void this.run();
    return true;
  }

  /** Removes and returns everything still waiting. */
  take(): T[] {
    return this.queue.splice(0);
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      for (let item = this.queue.shift(); item !== undefined; item = this.queue.shift()) {
        await this.handle(item);
      }
    } catch (e) {
      this.queue = [];
      this.onError(e);
    } finally {
      this.running = false;
    }
  }
}
