/**
 * Pipelined transfers over one open handle: many READ or WRITE requests outstanding at once,
 * bounded by a request count and a byte budget, which is what makes SFTP run at line speed
 * (the transfer loop of OpenSSH's sftp-client.c do_download / do_upload, as behaviour).
 *
 * Read: requests go out in file order; a short DATA re-requests the missing rest; an EOF
 * STATUS ends issuing past its offset while the holes before it are still completed; chunks
 * reach the sink strictly in file order, and bytes received but not yet taken by the sink
 * count against the budget, so a slow sink slows the requests instead of growing memory.
 * Data travels as the views it arrived in (readParts) up to a `sinkParts`; only a `sink` that
 * wants one buffer per chunk gets the parts of a reply joined.
 * Write: source chunks go out as WRITEs of at most chunkSize bytes; the first error (or an
 * abort) stops issuing, and the promise settles once every outstanding reply is in.
 */
import { joinParts, partsLength, sliceParts, type ByteParts } from '../wire/byte-parts.js';
import { SftpProtocolError } from './errors.js';
import type { SftpClient, SftpHandle } from './client.js';
import { TakeMap } from './take-map.js';

export interface ReadPipelineOptions {
  /** Where to start (to resume), default 0. */
  readonly offset?: number;
  /** Bytes to read, default: until EOF. */
  readonly length?: number;
  /** Bytes per READ, default client.limits.maxReadLength (255 KiB against OpenSSH). */
  readonly chunkSize?: number;
  readonly maxRequests?: number;
  readonly maxBytesInFlight?: number;
  /** Abort: stop issuing, wait for what is outstanding, reject with signal.reason. */
  readonly signal?: AbortSignal;
  /**
   * Called in file order with consecutive chunks; its promise applies backpressure. Exactly
   * one of sink and sinkParts is given.
   */
  readonly sink?: (chunk: Uint8Array, offset: number) => void | Promise<void>;
  /**
   * sink for bulk consumers: each chunk as the views it arrived in (non-empty, `length` bytes
   * in all), never joined; they alias received buffers and are the sink's to keep.
   */
  readonly sinkParts?: (parts: ByteParts, offset: number, length: number) => void | Promise<void>;
}

/** A received chunk waiting for delivery. */
interface Piece {
  readonly parts: ByteParts;
  readonly length: number;
}

function sinkOf(
  o: ReadPipelineOptions,
): (parts: ByteParts, offset: number, length: number) => void | Promise<void> {
  const { sink, sinkParts } = o;
  if (sinkParts !== undefined && sink === undefined) return sinkParts;
  if (sink !== undefined && sinkParts === undefined) {
    return (parts, offset) => sink(joinParts(parts), offset);
  }
  throw new TypeError('pipelinedRead needs exactly one of sink and sinkParts');
}

export interface WritePipelineOptions {
  readonly offset?: number;
  readonly chunkSize?: number;
  readonly maxRequests?: number;
  readonly maxBytesInFlight?: number;
  readonly signal?: AbortSignal;
  /**
   * Pulls the next chunk of the source (≤ chunkSize bytes preferred), null at its end. A chunk
   * is sent without a copy: it must not be changed afterwards.
   */
  readonly source: () => Promise<Uint8Array | null>;
  /** Called as the server acknowledges each WRITE (in reply order, not file order). */
  readonly onWritten?: (offset: number, length: number) => void;
}

interface Budget {
  readonly chunkSize: number;
  readonly maxRequests: number;
  readonly maxBytes: number;
}

function budget(
  client: SftpClient,
  o: { chunkSize?: number; maxRequests?: number; maxBytesInFlight?: number },
  limit: number,
): Budget {
  const chunkSize = Math.min(o.chunkSize ?? limit, limit);
  const maxRequests = o.maxRequests ?? client.maxRequests;
  const maxBytes = o.maxBytesInFlight ?? client.maxBytesInFlight;
  for (const [what, v] of [
    ['chunkSize', chunkSize],
    ['maxRequests', maxRequests],
    ['maxBytesInFlight', maxBytes],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${what} must be a positive integer`);
  }
  return { chunkSize, maxRequests, maxBytes };
}

function checkStart(offset: number, what: string): void {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError(`${what} ${offset} is not a non-negative integer`);
  }
}

export function pipelinedRead(
  client: SftpClient,
  h: SftpHandle,
  o: ReadPipelineOptions,
): Promise<{ bytes: number }> {
  const start = o.offset ?? 0;
  checkStart(start, 'offset');
  if (o.length !== undefined) checkStart(o.length, 'length');
  const b = budget(client, o, client.limits.maxReadLength);
  const sink = sinkOf(o);
  const signal = o.signal;
  if (signal?.aborted) return Promise.reject(signal.reason);

  return new Promise((resolve, reject) => {
    /** Where the data ends, as far as known: the length asked, then the lowest EOF seen. */
    let end = o.length === undefined ? Infinity : start + o.length;
    let issueAt = start;
    let deliverAt = start;
    let delivered = 0;
    let inFlight = 0;
    /** Bytes asked for and not answered, plus bytes received and not yet delivered. */
    let reserved = 0;
    /** Received chunks waiting for the ones before them, by offset. */
    const ready = new TakeMap<number, Piece>();
    let delivering = false;
    let waitingDrain = false;
    let zeroSeen = false;
    let failure: { error: unknown } | null = null;
    let settled = false;

    const stop = (error: unknown): void => {
      if (failure === null) failure = { error };
    };
    const onAbort = (): void => {
      stop(signal?.reason);
      settle();
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    const settle = (): void => {
      if (settled || inFlight > 0 || delivering) return;
      if (failure === null && deliverAt < end) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      ready.takeAll();
      if (failure !== null) reject(failure.error);
      else resolve({ bytes: delivered });
    };

    const issue = (offset: number, len: number): void => {
      inFlight++;
      client.readParts(h, offset, len).then(
        (parts) => onReply(offset, len, parts),
        (e: unknown) => {
          inFlight--;
          reserved -= len;
          stop(e);
          settle();
        },
      );
    };

    const pump = (): void => {
      while (failure === null && issueAt < end && inFlight < b.maxRequests && !waitingDrain) {
        const len = Math.min(b.chunkSize, end - issueAt);
        if (reserved > 0 && reserved + len > b.maxBytes) break;
        reserved += len;
        const at = issueAt;
        issueAt += len;
        issue(at, len);
        if (client.writeBlocked) {
          waitingDrain = true;
          void client.ready().then(() => {
            waitingDrain = false;
            pump();
          });
        }
      }
      settle();
    };

    const onReply = (offset: number, len: number, parts: ByteParts | null): void => {
      inFlight--;
      if (parts === null) {
        reserved -= len;
        if (offset < end) {
          end = offset;
          for (const at of ready.keys()) {
            if (at >= end) reserved -= ready.take(at)?.length ?? 0;
          }
        }
        deliver();
        pump();
        return;
      }
      let length = partsLength(parts);
      if (length > len) {
        reserved -= len;
        stop(new SftpProtocolError(`read ${h.path}: ${length} bytes where ${len} were asked`));
      } else if (offset >= end || failure !== null) {
        reserved -= len; // past a newer EOF, or stopping: nothing more to use
      } else {
        // ranges never straddle an EOF offset; a file changing under us could make one
        if (offset + length > end) {
          parts = sliceParts(parts, 0, end - offset);
          length = end - offset;
        }
        if (length === 0) {
          if (zeroSeen) {
            stop(new SftpProtocolError(`read ${h.path}: the server sent empty data twice`));
            reserved -= len;
            return settle();
          }
          zeroSeen = true;
        } else {
          ready.set(offset, { parts, length });
        }
        if (length < len) {
          // short read: ask again for the rest of the range (its bytes stay reserved)
          issue(offset + length, len - length);
        }
      }
      deliver();
      pump();
    };

    const deliver = (): void => {
      if (delivering) return;
      for (;;) {
        if (failure !== null) return;
        const piece = ready.take(deliverAt);
        if (piece === undefined) return;
        const at = deliverAt;
        const n = piece.length;
        deliverAt += n;
        let result: void | Promise<void>;
        try {
          result = sink(piece.parts, at, n);
        } catch (e) {
          stop(e);
          return;
        }
        delivered += n;
        if (result instanceof Promise) {
          delivering = true;
          result.then(
            () => {
              delivering = false;
              reserved -= n;
              deliver();
              pump();
            },
            (e: unknown) => {
              delivering = false;
              reserved -= n;
              stop(e);
              settle();
            },
          );
          return;
        }
        reserved -= n;
      }
    };

    pump();
  });
}

export function pipelinedWrite(
  client: SftpClient,
  h: SftpHandle,
  o: WritePipelineOptions,
): Promise<{ bytes: number }> {
  const start = o.offset ?? 0;
  checkStart(start, 'offset');
  const b = budget(client, o, client.limits.maxWriteLength);
  const signal = o.signal;
  if (signal?.aborted) return Promise.reject(signal.reason);

  let inFlight = 0;
  let reserved = 0;
  let failure: { error: unknown } | null = null;
  /** Woken by every reply, a drained stream and an abort. */
  let wake: (() => void) | null = null;
  const poke = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  const sleep = (): Promise<void> => new Promise((r) => (wake = r));
  const stop = (error: unknown): void => {
    if (failure === null) failure = { error };
    poke();
  };
  const onAbort = (): void => stop(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });

  const send = async (at: number, part: Uint8Array): Promise<void> => {
    for (;;) {
      if (failure !== null) return;
      const fits = reserved === 0 || reserved + part.length <= b.maxBytes;
      if (inFlight < b.maxRequests && fits) break;
      await sleep();
    }
    if (client.writeBlocked) {
      await client.ready();
      if (failure !== null) return;
    }
    inFlight++;
    reserved += part.length;
    client.writeChunk(h, at, part).then(
      () => {
        inFlight--;
        reserved -= part.length;
        o.onWritten?.(at, part.length);
        poke();
      },
      (e: unknown) => {
        inFlight--;
        reserved -= part.length;
        stop(e);
      },
    );
  };

  const run = async (): Promise<{ bytes: number }> => {
    let at = start;
    try {
      while (failure === null) {
        const chunk = await o.source();
        if (chunk === null) break;
        for (let i = 0; i < chunk.length && failure === null; i += b.chunkSize) {
          const part = chunk.subarray(i, i + b.chunkSize);
          await send(at, part);
          if (failure === null) at += part.length;
        }
      }
    } catch (e) {
      stop(e);
    }
    while (inFlight > 0) await sleep();
    signal?.removeEventListener('abort', onAbort);
    const f = failure as { error: unknown } | null;
    if (f !== null) throw f.error;
    return { bytes: at - start };
  };
  return run();
}
