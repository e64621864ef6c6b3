/**
 * One client of the service over a message channel (the browser host's WebSocket; Electron's
 * IPC binding can use the same): call messages go through the dispatch (validation there),
 * each answered by a result or an error message with the call's id, errors as WireError; every
 * service event is forwarded as an event message until the binding is closed.
 */
import type { EventName, ServiceEvents } from './api/contract.js';
import { toWireError } from './api/errors.js';
import type { ClientMessage, HostMessage } from './api/frames.js';
import type { Service } from './service.js';

export interface Binding {
  /** A call from the client. */
  handle(message: ClientMessage): void;
  /** The client is gone: no more events are sent. */
  close(): void;
}

export function bindClient(
  service: Pick<Service, 'dispatch' | 'events'>,
  post: (message: HostMessage) => void,
): Binding {
  let open = true;
  const safePost = (m: HostMessage) => {
    if (open) post(m);
  };
  const unsubscribe = service.events.subscribe(
    <E extends EventName>(name: E, payload: ServiceEvents[E]) =>
      safePost({ type: 'event', name, payload }),
  );
  return {
    handle: (m) => {
      service.dispatch(m.method, m.args).then(
        (value) => safePost({ type: 'result', id: m.id, value: value ?? null }),
        (e: unknown) => safePost({ type: 'error', id: m.id, error: toWireError(e) }),
      );
    },
    close: () => {
      open = false;
      unsubscribe();
    },
  };
}
