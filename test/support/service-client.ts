/**
 * A test's client of the service through the browser host's real WebSocket: the contract's
 * ServiceClient over `ws`, every event recorded in order, helpers to wait for an event and
 * to collect a terminal's output while acknowledging it (or not, for flow-control tests).
 */
import { WebSocket } from 'ws';
import type { EventName, ServiceEvents } from '../../core/service/api/contract.js';
import { ServiceClient } from '../../core/service/api/client.js';
import { waitFor } from './wait.js';

export interface RecordedEvent {
  readonly name: EventName;
  readonly payload: unknown;
}

export interface TestServiceClient {
  readonly client: ServiceClient;
  readonly api: ServiceClient['api'];
  readonly ws: WebSocket;
  readonly events: RecordedEvent[];
  /** The first recorded event (from index `from`) of this name that `match` accepts. */
  waitEvent<E extends EventName>(
    name: E,
    match?: (p: ServiceEvents[E]) => boolean,
    what?: string,
    ms?: number,
  ): Promise<ServiceEvents[E]>;
  /** A terminal's output so far; acknowledged as it arrives while `autoAck` is on. */
  terminal(id: string): TerminalTap;
  close(): Promise<void>;
}

export interface TerminalTap {
  text(): string;
  bytes(): number;
  autoAck: boolean;
  /** Acknowledges everything received and not yet acknowledged. */
  ackAll(): Promise<void>;
}

/** Opens the WebSocket (with the host's Origin) and resolves once it is open. */
export async function openServiceClient(wsUrl: string, origin: string): Promise<TestServiceClient> {
  const ws = new WebSocket(wsUrl, { origin });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const client = new ServiceClient((frame) => ws.send(frame));
  const events: RecordedEvent[] = [];
  const taps = new Map<
    string,
    { chunks: Buffer[]; size: number; acked: number; tap: TerminalTap }
  >();
  ws.on('message', (data: Buffer) => client.receive(new Uint8Array(data)));
  ws.on('close', () => client.close());
  const names: EventName[] = [
    'connectionState',
    'prompt',
    'promptClosed',
    'terminalData',
    'terminalExit',
    'transfer',
    'hostsChanged',
    'tunnelState',
  ];
  for (const name of names) {
    client.on(name, (payload) => {
      events.push({ name, payload });
      if (name === 'terminalData') {
        const p = payload as ServiceEvents['terminalData'];
        const t = taps.get(p.terminalId);
        if (t) {
          t.chunks.push(Buffer.from(p.data));
          t.size += p.data.length;
          if (t.tap.autoAck) void t.tap.ackAll();
        }
      }
    });
  }
  return {
    client,
    api: client.api,
    ws,
    events,
    async waitEvent(name, match = () => true, what = name, ms = 20_000) {
      let found: unknown;
      await waitFor(
        () => {
          const e = events.find((x) => x.name === name && match(x.payload as never));
          found = e?.payload;
          return e !== undefined;
        },
        what,
        ms,
      );
      return found as never;
    },
    terminal(id) {
      const state = {
        chunks: [] as Buffer[],
        size: 0,
        acked: 0,
        tap: undefined as unknown as TerminalTap,
      };
      state.tap = {
        autoAck: true,
        text: () => Buffer.concat(state.chunks).toString('utf8'),
        bytes: () => state.size,
        ackAll: async () => {
          const n = state.size - state.acked;
          if (n <= 0) return;
          state.acked += n;
          await client.api.ackTerminal({ terminalId: id, bytes: n }).catch(() => {});
        },
      };
      taps.set(id, state);
      return state.tap;
    },
    close: async () => {
      if (ws.readyState === ws.CLOSED) return;
      const closed = new Promise((r) => ws.once('close', r));
      ws.close();
      await closed;
    },
  };
}
