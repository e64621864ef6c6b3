/**
 * Terminals: a shell with a pty on a connection (RFC 4254 §6.2, §6.5, §6.7), its output
 * batched (batcher.ts) as `terminalData` events under end-to-end flow control
 * (flow-control.ts: the channel's streams are paused above the high watermark, so our SSH
 * window closes and the server stops sending), input written as UTF-8, resize as
 * window-change, SetEnv/SendEnv as env requests before the pty, and one `terminalExit` when the shell ends or its connection drops, after
 * the last output.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Session } from '../../connection/index.js';
import type { TerminalInfo } from '../api/contract.js';
import { toWireError } from '../api/errors.js';
import { NotFoundError } from '../errors.js';
import type { EventSink } from '../events.js';
import { DataBatcher } from './batcher.js';
import { FlowController } from './flow-control.js';

export const DEFAULT_TERM = 'xterm-256color';

interface Terminal {
  readonly id: string;
  readonly connectionId: string;
  readonly session: Session;
  readonly flow: FlowController;
}

export interface OpenTerminalArgs {
  readonly connectionId: string;
  readonly cols: number;
  readonly rows: number;
  readonly term?: string | undefined;
}

export class TerminalManager {
  private readonly terminals = new Map<string, Terminal>();

  constructor(
    private readonly emit: EventSink,
    /** A new session channel, and the environment to send on it (SetEnv / SendEnv). */
    private readonly openSession: (
      connectionId: string,
    ) => Promise<{ session: Session; env: readonly (readonly [string, string])[] }>,
  ) {}

  async open(a: OpenTerminalArgs): Promise<TerminalInfo> {
    const { session, env } = await this.openSession(a.connectionId);
    try {
      // a variable the server refuses (AcceptEnv) is left out, as ssh only notes it
      for (const [name, value] of env) await session.env(name, value);
      await session.requestPty({ term: a.term ?? DEFAULT_TERM, cols: a.cols, rows: a.rows });
      await session.shell();
    } catch (e) {
      session.close();
      throw e;
    }
    const id = randomUUID();
    const streams: Readable[] = [session.stdout, session.stderr];
    const batcher = new DataBatcher((data) => {
      flow.sent(data.length);
      this.emit('terminalData', { terminalId: id, data });
    });
    const flow = new FlowController(
      () => streams.forEach((s) => s.pause()),
      () => streams.forEach((s) => s.resume()),
    );
    for (const s of streams) s.on('data', (d: Uint8Array) => batcher.push(d));
    this.terminals.set(id, { id, connectionId: a.connectionId, session, flow });
    void this.watchExit(id, session, streams, batcher);
    return { terminalId: id, connectionId: a.connectionId };
  }

  write(id: string, data: string): void {
    this.get(id).session.stdin.write(Buffer.from(data, 'utf8'));
  }

  resize(id: string, cols: number, rows: number): void {
    this.get(id).session.windowChange(cols, rows);
  }

  ack(id: string, bytes: number): void {
    this.get(id).flow.ack(bytes);
  }

  close(id: string): void {
    this.get(id).session.close();
  }

  /** Unacknowledged bytes and whether the channel is paused (diagnostics, tests). */
  flowState(id: string): { unacknowledged: number; paused: boolean } {
    const t = this.get(id);
    return { unacknowledged: t.flow.unacknowledged, paused: t.flow.paused };
  }

  private get(id: string): Terminal {
    const t = this.terminals.get(id);
    if (!t) throw new NotFoundError('terminal', id);
    return t;
  }

  private async watchExit(
    id: string,
    session: Session,
    streams: readonly Readable[],
    batcher: DataBatcher,
  ): Promise<void> {
    let exitCode: number | null = null;
    let signal: string | null = null;
    let error: Error | null = null;
    try {
      const s = await session.exit;
      if ('code' in s) exitCode = s.code;
      else signal = s.signal;
    } catch (e) {
      error = e instanceof Error ? e : new Error(String(e));
    }
    // the output after exit-status still counts: once the channel has ended what is queued is
    // bounded by our window, so the streams are let run to their end
    await session.channel.ended.catch(() => null);
    for (const s of streams) s.resume();
    await session.closed.catch(() => {});
    batcher.flush();
    batcher.dispose();
    this.terminals.delete(id);
    this.emit('terminalExit', {
      terminalId: id,
      exitCode,
      signal,
      ...(error ? { error: toWireError(error) } : {}),
    });
  }
}
