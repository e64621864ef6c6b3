/**
 * Runs a SOCKS negotiation (socks.ts) over a stream: a local TCP socket for ssh -D, or a
 * forwarded-tcpip channel for a remote SOCKS forward (ssh -R with no target). Reads until the
 * request is complete, answers SOCKS5 method selection on the way, then pauses the stream and
 * puts the bytes that followed the request back in front of it (unshift), so the tunnel that
 * takes over sees every byte. A refusal sends the version's error reply and rejects with the
 * SocksError; the caller closes the stream.
 */
import type { Readable } from 'node:stream';
import { SocksError, SocksNegotiation, type SocksRequest } from './socks.js';

export function readSocksRequest(
  input: Readable,
  write: (bytes: Uint8Array) => void,
): Promise<SocksRequest> {
  return new Promise((resolve, reject) => {
    const negotiation = new SocksNegotiation();
    const cleanup = (): void => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('close', onEnd);
      input.off('error', onError);
      input.pause();
    };
    const onData = (chunk: Buffer): void => {
      let step;
      try {
        step = negotiation.feed(chunk);
      } catch (e) {
        cleanup();
        return reject(e);
      }
      for (const bytes of step.send) write(bytes);
      if (step.error) {
        cleanup();
        reject(step.error);
      } else if (step.request) {
        cleanup();
        if (step.request.rest.length > 0) input.unshift(Buffer.from(step.request.rest));
        resolve(step.request.request);
      }
    };
    const onEnd = (): void => {
      cleanup();
      reject(new SocksError('the SOCKS client closed before its request was complete'));
    };
    const onError = (e: Error): void => {
      cleanup();
      reject(new SocksError(`SOCKS client: ${e.message}`));
    };
    input.on('data', onData);
    input.once('end', onEnd);
    input.once('close', onEnd);
    input.once('error', onError);
    input.resume(); // a socket accepted with pauseOnConnect stays paused for a 'data' listener
  });
}
