/**
 * The service's event streams (api/contract.ts ServiceEvents) fanned out to whoever listens:
 * each host binding (Electron's window, every browser-host WebSocket) subscribes once and
 * forwards all events. A listener that throws is dropped from nothing and hurts no other.
 */
import type { EventName, ServiceEvents } from './api/contract.js';

export type EventSink = <E extends EventName>(name: E, payload: ServiceEvents[E]) => void;

export class EventHub {
  private readonly sinks = new Set<EventSink>();

  /** Adds a sink; returns the function that removes it. */
  subscribe(sink: EventSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  readonly emit: EventSink = (name, payload) => {
    for (const sink of this.sinks) {
      try {
        sink(name, payload);
      } catch {
        // a broken sink (a closed socket) must not stop the others or the service
      }
    }
  };
}
