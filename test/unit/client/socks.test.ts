/**
 * The SOCKS4 / 4a / 5 negotiation (socks.ts) fed byte by byte and in one piece: requests
 * parsed, method selection answered, unsupported commands and address types refused with
 * their protocol's replies, and bad or oversized input refused without waiting for more.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_SOCKS_REQUEST,
  SocksError,
  SocksNegotiation,
  socksReply,
  type SocksStep,
} from '../../../core/client/socks.js';

const bytes = (...parts: (number[] | string)[]): Uint8Array =>
  Buffer.concat(
    parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))),
  );

/** Feeds `input` one byte at a time; returns what was sent and the final step. */
function trickle(input: Uint8Array): { sent: number[]; last: SocksStep } {
  const n = new SocksNegotiation();
  const sent: number[] = [];
  let last: SocksStep = { send: [] };
  for (const b of input) {
    last = n.feed(Uint8Array.of(b));
    for (const s of last.send) sent.push(...s);
    if (last.request || last.error) break;
  }
  return { sent, last };
}

test('SOCKS4 CONNECT to an IPv4 address, with a user id and bytes after the request', () => {
  const input = bytes([4, 1, 0x1f, 0x90, 10, 1, 2, 3], 'alice', [0], 'GET');
  const one = new SocksNegotiation().feed(input);
  assert.deepEqual(one.request?.request, { version: '4', host: '10.1.2.3', port: 8080 });
  assert.equal(Buffer.from(one.request?.rest ?? []).toString(), 'GET');
  const slow = trickle(input.subarray(0, input.length - 3));
  assert.deepEqual(slow.last.request?.request, { version: '4', host: '10.1.2.3', port: 8080 });
  assert.deepEqual(slow.sent, []);
});

test('SOCKS4a: the host name is passed on unresolved', () => {
  const input = bytes([4, 1, 0, 80, 0, 0, 0, 9], [0], 'www.example.org', [0]);
  const { last } = trickle(input);
  assert.deepEqual(last.request?.request, { version: '4a', host: 'www.example.org', port: 80 });
});

test('SOCKS5: method selection, then CONNECT by IPv4, domain and IPv6', () => {
  const n = new SocksNegotiation();
  const s1 = n.feed(Uint8Array.of(5, 2, 2, 0));
  assert.deepEqual(s1.send, [Uint8Array.of(5, 0)]);
  assert.equal(s1.request, undefined);
  const s2 = n.feed(bytes([5, 1, 0, 3, 11], 'example.com', [1, 187]));
  assert.deepEqual(s2.request?.request, { version: '5', host: 'example.com', port: 443 });

  const v4 = trickle(bytes([5, 1, 0], [5, 1, 0, 1, 127, 0, 0, 1, 0, 22]));
  assert.deepEqual(v4.sent, [5, 0]);
  assert.deepEqual(v4.last.request?.request, { version: '5', host: '127.0.0.1', port: 22 });

  const v6 = new SocksNegotiation().feed(
    bytes([5, 1, 0], [5, 1, 0, 4], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], [0, 80]),
  );
  assert.deepEqual(v6.request?.request, { version: '5', host: '0:0:0:0:0:0:0:1', port: 80 });
});

test('refusals carry their protocol reply', () => {
  /** A SOCKS5 request after the greeting, answered "no auth" then failure `code`. */
  const s5 = (what: string, code: number, ...request: (number[] | string)[]) =>
    [what, bytes([5, 1, 0], ...request), [5, 0, 5, code, 0, 1, 0, 0, 0, 0, 0, 0]] as const;
  const cases: (readonly [string, Uint8Array, readonly number[]])[] = [
    ['SOCKS4 BIND', bytes([4, 2, 0, 80, 1, 2, 3, 4, 0]), [0, 91, 0, 0, 0, 0, 0, 0]],
    ['SOCKS5 no acceptable method', bytes([5, 1, 2]), [5, 0xff]],
    s5('SOCKS5 BIND', 7, [5, 2, 0, 1, 1, 2, 3, 4, 0, 80]),
    s5('SOCKS5 UDP', 7, [5, 3, 0, 1, 1, 2, 3, 4, 0, 80]),
    s5('SOCKS5 address type 9', 8, [5, 1, 0, 9, 1, 2]),
    s5('SOCKS5 empty domain', 1, [5, 1, 0, 3, 0, 0, 80]),
    s5('SOCKS5 NUL in domain', 1, [5, 1, 0, 3, 3], 'a', [0], 'b', [0, 80]),
    s5('SOCKS5 port 0', 1, [5, 1, 0, 1, 1, 2, 3, 4, 0, 0]),
    s5('SOCKS5 request version 4', 1, [4, 1, 0, 1, 1, 2, 3, 4, 0, 80]),
    ['not SOCKS', bytes('GET / HTTP/1.1\r\n'), []],
  ];
  for (const [what, input, reply] of cases) {
    for (const step of [new SocksNegotiation().feed(input), trickle(input).last]) {
      assert.ok(step.error instanceof SocksError, what);
      assert.equal(step.request, undefined, what);
    }
    assert.deepEqual(trickle(input).sent, reply, what);
  }
});

test('oversized input is refused, never buffered without bound', () => {
  const longUser = bytes([4, 1, 0, 80, 1, 2, 3, 4], 'u'.repeat(300));
  const r1 = trickle(longUser);
  assert.ok(r1.last.error instanceof SocksError);
  assert.match(r1.last.error.message, /user id longer than 255/);
  assert.deepEqual(r1.sent, [0, 91, 0, 0, 0, 0, 0, 0]);

  const longHost = bytes([4, 1, 0, 80, 0, 0, 0, 1], [0], 'h'.repeat(300));
  assert.match(trickle(longHost).last.error?.message ?? '', /host name longer than 255/);

  // a SOCKS5 greeting that never ends is cut off at the bound
  const n = new SocksNegotiation();
  n.feed(Uint8Array.of(5, 255));
  const big = n.feed(new Uint8Array(MAX_SOCKS_REQUEST));
  assert.ok(big.error instanceof SocksError);
  assert.equal(n.finished, true);
  assert.throws(() => n.feed(Uint8Array.of(0)), SocksError);
});

test('replies', () => {
  assert.deepEqual([...socksReply('5', true)], [5, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...socksReply('5', false, 5)], [5, 5, 0, 1, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...socksReply('4a', true)], [0, 90, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...socksReply('4', false)], [0, 91, 0, 0, 0, 0, 0, 0]);
});
