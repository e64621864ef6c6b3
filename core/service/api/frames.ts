/**
 * The messages a service host and its client exchange over a byte channel (the browser host's
 * WebSocket; Electron IPC carries the same objects by structured clone), and their framing.
 *
 *   client → host   {type:'call', id, method, args}
 *   host → client   {type:'result', id, value} | {type:'error', id, error: WireError}
 *                   | {type:'event', name, payload}
 *
 * Frame (one binary WebSocket message):
 *   uint32 n ‖ n bytes of UTF-8 JSON ‖ for each attachment: uint32 len ‖ len bytes
 * Every Uint8Array in the message is an attachment, written in the JSON as {"$bin": index}, so
 * terminal output and file data travel as bytes, not base64. Big-endian lengths. Decoding
 * checks every length against the frame and the caps below and throws FrameError.
 *
 * No Node imports (TextEncoder, DataView only): the browser side uses it as is.
 */
import type { WireError } from './contract.js';

export const MAX_FRAME_BYTES = 16 * 1024 * 1024;
export const MAX_ATTACHMENTS = 1024;

export type ClientMessage = {
  readonly type: 'call';
  readonly id: number;
  readonly method: string;
  readonly args: unknown;
};

export type HostMessage =
  | { readonly type: 'result'; readonly id: number; readonly value: unknown }
  | { readonly type: 'error'; readonly id: number; readonly error: WireError }
  | { readonly type: 'event'; readonly name: string; readonly payload: unknown };

/** A frame that cannot be decoded: truncated, oversized, not JSON, not a known message. */
export class FrameError extends Error {
  readonly code = 'BAD_FRAME';
  readonly details: Record<string, unknown> = {};

  constructor(message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeFrame(message: ClientMessage | HostMessage): Uint8Array {
  const blobs: Uint8Array[] = [];
  const json = JSON.stringify(message, function (this: unknown, k: string, v: unknown) {
    // the holder's own value: a Node Buffer's toJSON has already run on `v`
    const raw = (this as Record<string, unknown>)[k];
    if (raw instanceof Uint8Array) {
      blobs.push(raw);
      return { $bin: blobs.length - 1 };
    }
    return v;
  });
  const text = encoder.encode(json);
  let size = 4 + text.length;
  for (const b of blobs) size += 4 + b.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, text.length);
  out.set(text, 4);
  let at = 4 + text.length;
  for (const b of blobs) {
    view.setUint32(at, b.length);
    out.set(b, at + 4);
    at += 4 + b.length;
  }
  return out;
}

function parse(frame: Uint8Array): unknown {
  if (frame.length > MAX_FRAME_BYTES)
    throw new FrameError(`frame of ${frame.length} bytes is too big`);
  if (frame.length < 4) throw new FrameError('frame shorter than its length field');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const n = view.getUint32(0);
  if (n > frame.length - 4) throw new FrameError('frame JSON length past its end');
  const blobs: Uint8Array[] = [];
  let at = 4 + n;
  while (at < frame.length) {
    if (blobs.length >= MAX_ATTACHMENTS) throw new FrameError('too many attachments');
    if (frame.length - at < 4) throw new FrameError('attachment length truncated');
    const len = view.getUint32(at);
    if (len > frame.length - at - 4) throw new FrameError('attachment length past the frame');
    blobs.push(frame.slice(at + 4, at + 4 + len));
    at += 4 + len;
  }
  let text: string;
  try {
    text = decoder.decode(frame.subarray(4, 4 + n));
  } catch {
    throw new FrameError('frame JSON is not UTF-8');
  }
  try {
    return JSON.parse(text, (_k, v: unknown) => {
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
        const keys = Object.keys(v);
        const i = (v as { $bin?: unknown }).$bin;
        if (keys.length === 1 && keys[0] === '$bin') {
          const blob = typeof i === 'number' ? blobs[i] : undefined;
          if (blob === undefined) throw new FrameError('attachment reference out of range');
          return blob;
        }
      }
      return v;
    });
  } catch (e) {
    if (e instanceof FrameError) throw e;
    throw new FrameError('frame JSON does not parse');
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** A frame from a client: a call with a numeric id and a method name. */
export function decodeClientFrame(frame: Uint8Array): ClientMessage {
  const m = parse(frame);
  if (!isObject(m) || m['type'] !== 'call' || !isId(m['id']) || typeof m['method'] !== 'string') {
    throw new FrameError('not a call message');
  }
  return { type: 'call', id: m['id'], method: m['method'], args: m['args'] };
}

/** A frame from a host: a result, an error or an event. */
export function decodeHostFrame(frame: Uint8Array): HostMessage {
  const m = parse(frame);
  if (!isObject(m)) throw new FrameError('not a message');
  if (m['type'] === 'result' && isId(m['id']))
    return { type: 'result', id: m['id'], value: m['value'] };
  if (m['type'] === 'error' && isId(m['id']) && isObject(m['error'])) {
    return { type: 'error', id: m['id'], error: m['error'] as unknown as WireError };
  }
  if (m['type'] === 'event' && typeof m['name'] === 'string') {
    return { type: 'event', name: m['name'], payload: m['payload'] };
  }
  throw new FrameError('not a result, error or event message');
}
