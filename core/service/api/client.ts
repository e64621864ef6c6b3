/**
 * The caller's side of the contract over a frame channel (CONVENTIONS §11: one-line call
 * sites): `client.api.connect({ target })` sends a call frame and resolves with the result, or
 * rejects with the service's error rebuilt (ServiceCallError, same name and code);
 * `client.on('terminalData', …)` receives events. The transport is two functions: send a frame,
 * and feed received frames to receive(). No Node imports: a browser tab uses it over a
 * WebSocket as tests do here.
 */
import type {
  EventName,
  MethodArgs,
  MethodName,
  MethodResults,
  ServiceApi,
  ServiceEvents,
} from './contract.js';
import { rebuildError, ServiceCallError } from './errors.js';
import { decodeHostFrame, encodeFrame } from './frames.js';

type Listener<E extends EventName> = (payload: ServiceEvents[E]) => void;

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

export class ServiceClient {
  /** The methods as functions: api.openTerminal({ connectionId, cols, rows }). */
  readonly api: ServiceApi;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();
  private closedWith: Error | null = null;

  constructor(private readonly send: (frame: Uint8Array) => void) {
    this.api = new Proxy({} as ServiceApi, {
      // 'then' stays undefined so that awaiting the api object does not send a call
      get: (_t, method) =>
        typeof method === 'string' && method !== 'then'
          ? (args: unknown) => this.call(method as MethodName, args as never)
          : undefined,
    });
  }

  call<M extends MethodName>(method: M, args: MethodArgs<M>): Promise<MethodResults[M]> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    return new Promise<MethodResults[M]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      try {
        this.send(encodeFrame({ type: 'call', id, method, args }));
      } catch (e) {
        this.pending.delete(id);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  /** Subscribes to one event stream; returns the unsubscribe function. */
  on<E extends EventName>(name: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    const l = listener as (payload: unknown) => void;
    set.add(l);
    return () => set.delete(l);
  }

  /** A frame from the host. A malformed frame throws FrameError (the caller closes the channel). */
  receive(frame: Uint8Array): void {
    const m = decodeHostFrame(frame);
    if (m.type === 'event') {
      for (const l of this.listeners.get(m.name) ?? []) l(m.payload);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.type === 'result') p.resolve(m.value);
    else p.reject(rebuildError(m.error));
  }

  /** The channel is gone: every pending call rejects with CHANNEL_CLOSED, later ones too. */
  close(reason = 'the connection to the service closed'): void {
    this.closedWith ??= new ServiceCallError({
      name: 'ServiceChannelClosed',
      code: 'SERVICE_CHANNEL_CLOSED',
      message: reason,
      details: {},
    });
    for (const p of this.pending.values()) p.reject(this.closedWith);
    this.pending.clear();
  }
}
