import { concatBytes } from './bytes.js';

/**
 * A run of bytes held as the list of views it arrived in (ByteParts), so bulk data can travel
 * from the socket to a file without being joined into one buffer: the helpers measure, cut
 * and, where one buffer is really needed, join such a list. Views alias their buffers.
 */

export type ByteParts = readonly Uint8Array[];

/** Total bytes in the parts. */
export function partsLength(parts: ByteParts): number {
  let n = 0;
  for (const p of parts) n += p.length;
  return n;
}

/** The bytes from `start` up to `end` (default: all), as views; empty views are left out. */
export function sliceParts(parts: ByteParts, start: number, end = Infinity): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  for (const p of parts) {
    if (at >= end) break;
    const from = Math.max(start - at, 0);
    const to = Math.min(end - at, p.length);
    if (to > from) out.push(from === 0 && to === p.length ? p : p.subarray(from, to));
    at += p.length;
  }
  return out;
}

/** One buffer of the parts: the part itself when there is one, else a copy of them all. */
export function joinParts(parts: ByteParts): Uint8Array {
  return parts.length === 1 ? (parts[0] as Uint8Array) : concatBytes(...parts);
}
