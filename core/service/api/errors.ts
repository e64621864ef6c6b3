/**
 * Errors across the contract (CONVENTIONS §5): an error thrown in the service leaves as
 * WireError {name, code, message, details} and is rebuilt on the caller's side as a
 * ServiceCallError with the same name, code and details, so `e.code === 'HOST_KEY_ERROR'`
 * works in the renderer as it does in the service. Only JSON-safe details cross: functions,
 * symbols and cycles are dropped, bigints become strings, bytes stay Uint8Array.
 *
 * No Node imports: the renderer and the browser host's client use this module too.
 */
import type { WireError } from './contract.js';

/** The code for errors that carry none (a bug, or a library's plain Error). */
export const INTERNAL_ERROR = 'INTERNAL_ERROR';

const MAX_DEPTH = 6;
const MAX_STRING = 16_384;

function jsonSafe(v: unknown, depth: number, seen: Set<object>): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'number') return v;
  if (typeof v === 'string') return v.length > MAX_STRING ? v.slice(0, MAX_STRING) : v;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v !== 'object' || depth > MAX_DEPTH || seen.has(v)) return undefined;
  if (v instanceof Uint8Array) return v.slice();
  seen.add(v);
  try {
    if (Array.isArray(v)) return v.map((x) => jsonSafe(x, depth + 1, seen) ?? null);
    if (v instanceof Error) return { name: v.name, message: v.message };
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const s = jsonSafe(x, depth + 1, seen);
      if (s !== undefined) out[k] = s;
    }
    return out;
  } finally {
    seen.delete(v);
  }
}

/** Any thrown value as a WireError. */
export function toWireError(e: unknown): WireError {
  if (e instanceof Error) {
    const { code, details } = e as Error & { code?: unknown; details?: unknown };
    const safe = jsonSafe(details ?? {}, 0, new Set());
    return {
      name: e.name,
      code: typeof code === 'string' && code !== '' ? code : INTERNAL_ERROR,
      message: e.message,
      details:
        safe !== null && typeof safe === 'object' && !Array.isArray(safe)
          ? (safe as Record<string, unknown>)
          : {},
    };
  }
  return { name: 'Error', code: INTERNAL_ERROR, message: String(e), details: {} };
}

/** An error the service reported, rebuilt: `name`, `code` and `details` as thrown there. */
export class ServiceCallError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(wire: WireError, options?: ErrorOptions) {
    super(wire.message, options);
    this.name = wire.name;
    this.code = wire.code;
    this.details = wire.details;
  }

  toWire(): WireError {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

/** A WireError from the other side (checked, since it arrived as data) as a typed error. */
export function rebuildError(value: unknown): ServiceCallError {
  const o = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const text = (k: string, dflt: string) => (typeof o[k] === 'string' ? (o[k] as string) : dflt);
  const details = o['details'];
  return new ServiceCallError({
    name: text('name', 'Error'),
    code: text('code', INTERNAL_ERROR),
    message: text('message', 'unknown error'),
    details:
      typeof details === 'object' && details !== null && !Array.isArray(details)
        ? (details as Record<string, unknown>)
        : {},
  });
}

/** True when `e` (thrown here or rebuilt from the wire) has this code. */
export function hasErrorCode(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === code;
}
