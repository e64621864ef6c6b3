/**
 * The sshd's TCP forwarding (core/server/forwarding.ts) over an in-memory connection pair, the
 * client side driven through Connection.openChannel / globalRequest, against real TCP servers
 * on 127.0.0.1 with ports the OS picks: direct-tcpip data both ways with half-close and
 * backpressure, open failures and policy refusals with their reasons, tcpip-forward with port
 * 0, forwarded-tcpip fields, cancel, GatewayPorts, permitlisten, limits, and that nothing (no
 * channel, socket or listener) outlives a forwarded connection or the SSH connection.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { digest, patternChunk } from '../../support/session-servers.js';
import { waitFor } from '../../support/wait.js';
import {
  DEFAULT_WINDOW,
  OpenFailureReason,
  type Channel,
  type Connection,
} from '../../../core/connection/index.js';
import type { ForwardingPolicy } from '../../../core/server/forwarding.js';
import {
  allClosed,
  assertLogged,
  cleanups,
  openFailure,
  runCleanups,
  setup,
} from './forwarding-setup.js';
import {
  decodeForwardPort,
  decodeTcpipOpen,
  encodeTcpipForward,
  encodeTcpipOpen,
  type TcpipOpen,
} from '../../../core/connection/forward-messages.js';
import { bindTargets } from '../../../core/server/forward-policy.js';

const MiB = 1024 * 1024;
/**
 * What Node's streams may hold at the server for one paused direction besides the window: a
 * socket's and a channel writable's buffer (highWaterMark, 64 KiB on Node 22+) plus the chunk
 * in hand that went past it, each.
 */
const STREAM_SLACK = 512 * 1024;

afterEach(runCleanups);

interface Target {
  readonly port: number;
  readonly sockets: Socket[];
  close(): Promise<void>;
}

/** A TCP server on 127.0.0.1, port chosen by the OS; sockets are half-open capable. */
async function tcpTarget(onSocket: (s: Socket) => void, pauseOnConnect = false): Promise<Target> {
  const sockets: Socket[] = [];
  const server = createServer({ allowHalfOpen: true, pauseOnConnect }, (s) => {
    sockets.push(s);
    onSocket(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const close = (): Promise<void> => {
    for (const s of sockets) s.destroy();
    return new Promise((r) => (server.listening ? server.close(() => r()) : r()));
  };
  cleanups.push(close);
  return { port: (server.address() as AddressInfo).port, sockets, close };
}

const echo = (s: Socket): void => void s.pipe(s);

/** A port nothing listens on: one the OS gave, then closed. */
async function closedPort(): Promise<number> {
  const t = await tcpTarget(() => {});
  await t.close();
  return t.port;
}

function tcpConnect(port: number, host = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host, allowHalfOpen: true });
    cleanups.push(() => s.destroy());
    s.once('error', reject);
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
  });
}

/** The error code of connecting to port, or null when the connection was accepted. */
async function connectError(port: number, host = '127.0.0.1'): Promise<string | null> {
  try {
    (await tcpConnect(port, host)).destroy();
    return null;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? 'error';
  }
}

/** Resolves when the other end of a socket has gone: its FIN, a reset, or a close. */
function gone(s: Socket): Promise<void> {
  return new Promise((resolve) => {
    s.on('error', () => resolve());
    s.once('end', () => resolve());
    s.once('close', () => resolve());
    s.resume();
  });
}

function readAll(stream: Readable): Promise<string> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    stream.on('data', (d: Buffer) => parts.push(d));
    stream.once('end', () => resolve(Buffer.concat(parts).toString()));
  });
}

function readSome(stream: Readable, n: number): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    const on = (d: Buffer): void => {
      got += d.toString();
      if (got.length < n) return;
      stream.off('data', on);
      stream.pause();
      resolve(got);
    };
    stream.on('data', on);
    stream.resume(); // a 'data' listener alone does not restart a paused stream
  });
}

/** Writes `total` bytes of pattern (seeds from `seed`), honouring backpressure; its sha256. */
async function feed(w: Writable, total: number, seed: number, chunk = 256 * 1024): Promise<string> {
  const h = createHash('sha256');
  for (let off = 0; off < total; off += chunk, seed++) {
    const data = patternChunk(seed, Math.min(chunk, total - off));
    h.update(data);
    if (!w.write(data)) await new Promise<void>((r) => w.once('drain', () => r()));
  }
  return h.digest('hex');
}

function directTcpip(client: Connection, port: number, host = '127.0.0.1'): Promise<Channel> {
  const extra = encodeTcpipOpen({ host, port, originatorAddress: '127.0.0.1', originatorPort: 4 });
  return client.openChannel('direct-tcpip', extra);
}

/** Client side of ssh -R in these tests: forwarded-tcpip channels echo what they receive. */
function echoForwarded(client: Connection): TcpipOpen[] {
  const opens: TcpipOpen[] = [];
  client.onChannelOpen = (type, extra, answer) => {
    if (type !== 'forwarded-tcpip') return answer.reject();
    opens.push(decodeTcpipOpen(extra, type));
    const ch = answer.accept();
    ch.incoming.pipe(ch.writable());
  };
  return opens;
}

async function forward(client: Connection, bindAddress: string, port = 0): Promise<number | null> {
  const reply = await client.globalRequest(
    'tcpip-forward',
    encodeTcpipForward({ bindAddress, port }),
  );
  if (!reply?.ok) return null;
  return decodeForwardPort(reply.data) ?? port;
}

async function cancel(client: Connection, bindAddress: string, port: number): Promise<boolean> {
  const reply = await client.globalRequest(
    'cancel-tcpip-forward',
    encodeTcpipForward({ bindAddress, port }),
  );
  return reply?.ok ?? false;
}

/**
 * What loopback TCP may hold between a writer and a reader that stopped: the sending socket's
 * buffer grows up to tcp_wmem's maximum, the receiving one holds about tcp_rmem's default (it
 * grows only as the reader reads); plus 1 MiB for Node's stream buffers. 8 MiB off Linux.
 */
function kernelBuffering(): number {
  try {
    const field = (f: string, i: number): number =>
      Number(readFileSync(`/proc/sys/net/ipv4/${f}`, 'utf8').trim().split(/\s+/)[i]);
    const sum = field('tcp_wmem', 2) + 2 * field('tcp_rmem', 1) + MiB;
    return Number.isFinite(sum) ? sum : 8 * MiB;
  } catch {
    return 8 * MiB;
  }
}

/**
 * Polls until `ready()` holds and value() has not changed for quietMs while it did; returns
 * the value. `ready` names the stall (a window used up), so a pause of a loaded machine is
 * not taken for one.
 */
async function settled(
  value: () => number,
  ready: () => boolean,
  what: string,
  quietMs = 400,
): Promise<number> {
  let last = value();
  let since = Date.now();
  await waitFor(() => {
    const v = value();
    if (v !== last || !ready()) [last, since] = [v, Date.now()];
    return Date.now() - since >= quietMs;
  }, what);
  return last;
}

// ---- direct-tcpip ---------------------------------------------------------------------------

test('direct-tcpip: 8 MiB each way arrive intact (sha256), EOF both ways, then CLOSE', async () => {
  const ctx = await setup();
  const total = 8 * MiB;
  let targetGot: Promise<{ length: number; sha256: string }> | undefined;
  let targetSent: Promise<string> | undefined;
  const target = await tcpTarget((s) => {
    targetGot = digest(s);
    targetSent = feed(s, total, 1000).then((h) => (s.end(), h));
  });
  const ch = await directTcpip(ctx.client, target.port);
  const w = ch.writable();
  const [sent, got] = await Promise.all([
    feed(w, total, 1).then((h) => (w.end(), h)),
    digest(ch.incoming),
  ]);
  assert.ok(targetGot && targetSent, 'the target was connected');
  const atTarget = await targetGot;
  assert.equal(atTarget.length, total);
  assert.equal(atTarget.sha256, sent, 'client → target intact');
  assert.equal(got.length, total);
  assert.equal(got.sha256, await targetSent, 'target → client intact');
  await ch.closed;
  await allClosed(ctx);
  assert.ok(ctx.logs.some((l) => l.includes(`to 127.0.0.1 port ${target.port}`)));
  await ctx.end();
  await target.close();
});

test('direct-tcpip half-close: the client EOF ends the socket, the target still answers', async () => {
  const ctx = await setup();
  let sawEnd = false;
  let received = '';
  const target = await tcpTarget((s) => {
    s.on('data', (d: Buffer) => (received += d.toString()));
    s.on('end', () => (sawEnd = true));
  });
  const ch = await directTcpip(ctx.client, target.port);
  const reply = readAll(ch.incoming);
  ch.writable().end('question');
  await waitFor(() => sawEnd, 'the target saw the end of its input');
  assert.equal(received, 'question');
  assert.ok(ch.isOpen && !ch.eofFromPeer, 'the other direction is still open');
  const s = target.sockets[0];
  assert.ok(s);
  s.end(`answer after EOF to ${received}`);
  assert.equal(await reply, 'answer after EOF to question');
  await ch.closed;

  // The other way round: the target ends first, the client keeps sending.
  let late = '';
  let targetDone = false;
  const target2 = await tcpTarget((t) => {
    t.on('data', (d: Buffer) => (late += d.toString()));
    t.on('end', () => (targetDone = true));
    t.end('bye');
  });
  const ch2 = await directTcpip(ctx.client, target2.port);
  assert.equal(await readAll(ch2.incoming), 'bye', "the target's FIN is the channel's EOF");
  assert.ok(ch2.isOpen, 'still open for the client to send');
  const w2 = ch2.writable();
  w2.write('after ');
  w2.end('their EOF');
  await waitFor(() => targetDone, 'the target read to the end');
  assert.equal(late, 'after their EOF');
  await ch2.closed;
  await target2.close();
  await allClosed(ctx);
  await ctx.end();
  await target.close();
});

test('direct-tcpip to a target that stops reading: the client stalls at a bound, then resumes intact', async () => {
  const ctx = await setup();
  const bound = DEFAULT_WINDOW + kernelBuffering();
  const total = Math.max(48 * MiB, 4 * bound);
  const target = await tcpTarget(() => {}, true); // sockets stay paused: nothing is read
  const ch = await directTcpip(ctx.client, target.port);
  const w = ch.writable();
  let accepted = 0; // bytes whose write completed: sent on the wire, within the window
  const h = createHash('sha256');
  let finished = false;
  const writer = (async () => {
    for (let off = 0, seed = 1; off < total; off += 64 * 1024, seed++) {
      const data = patternChunk(seed, 64 * 1024);
      h.update(data);
      if (!w.write(data, () => (accepted += data.length))) {
        await new Promise<void>((r) => w.once('drain', () => r()));
      }
    }
    w.end();
    finished = true;
  })();
  const stalledAt = await settled(
    () => accepted,
    () => ch.remoteWindow.size === 0,
    'the writer stalls with no window left',
  );
  const buffered = ctx.forwarding.stats().bufferedBytes;
  console.log(
    `# stalled after ${stalledAt} of ${total} bytes (bound ${bound}); server holds ${buffered}`,
  );
  assert.ok(!finished, 'the writer could not write everything');
  assert.ok(stalledAt <= bound, `stalled only after ${stalledAt} bytes`);
  assert.ok(stalledAt >= DEFAULT_WINDOW, `stalled at ${stalledAt}, before filling a window`);
  assert.ok(
    buffered <= DEFAULT_WINDOW + STREAM_SLACK,
    `the server holds ${buffered} bytes for the stalled socket`,
  );
  assert.equal(ch.remoteWindow.size, 0, 'the server gave no more credit');
  const s = target.sockets[0];
  assert.ok(s);
  const got = await digest(s); // resumes the socket
  await writer;
  assert.equal(got.length, total);
  assert.equal(got.sha256, h.digest('hex'));
  ch.close();
  await allClosed(ctx);
  await ctx.end();
  await target.close();
});

test('direct-tcpip to a client that stops reading: the target stalls at a bound, then resumes intact', async () => {
  const ctx = await setup();
  const total = 48 * MiB;
  let accepted = 0;
  let sent: Promise<string> | undefined;
  const target = await tcpTarget((s) => {
    sent = (async () => {
      const h = createHash('sha256');
      for (let off = 0, seed = 1; off < total; off += 64 * 1024, seed++) {
        const data = patternChunk(seed, 64 * 1024);
        h.update(data);
        if (!s.write(data, () => (accepted += data.length))) {
          await new Promise<void>((r) => s.once('drain', () => r()));
        }
      }
      s.end();
      return h.digest('hex');
    })();
  });
  const ch = await directTcpip(ctx.client, target.port);
  ch.writable().end();
  const stalledAt = await settled(
    () => accepted,
    () => ch.incoming.bufferedBytes === DEFAULT_WINDOW,
    'the target stalls with the client holding a window',
  );
  const buffered = ctx.forwarding.stats().bufferedBytes;
  console.log(`# target stalled after ${stalledAt} of ${total} bytes; server holds ${buffered}`);
  // The server's socket read fast before it paused, so its receive buffer may have grown
  // toward tcp_rmem's maximum: what the kernel holds is not bounded as tightly here, what
  // this process holds is.
  assert.ok(stalledAt < total / 2, `stalled only after ${stalledAt} bytes`);
  assert.ok(
    buffered <= STREAM_SLACK,
    `the server holds ${buffered} bytes while the client's window is closed`,
  );
  assert.equal(ch.incoming.bufferedBytes, DEFAULT_WINDOW, 'the client holds one window');
  const got = await digest(ch.incoming);
  assert.ok(sent);
  assert.equal(got.length, total);
  assert.equal(got.sha256, await sent);
  await allClosed(ctx);
  await ctx.end();
  await target.close();
});

test('direct-tcpip to a closed port: OPEN_FAILURE CONNECT_FAILED with the error text', async () => {
  const ctx = await setup();
  const port = await closedPort();
  const e = await openFailure(directTcpip(ctx.client, port));
  assert.equal(e.openReason, OpenFailureReason.CONNECT_FAILED);
  assert.match(e.description, new RegExp(`127\\.0\\.0\\.1 port ${port}.*connection refused`, 'i'));
  assert.ok(ctx.logs.some((l) => /ECONNREFUSED/.test(l)));
  await allClosed(ctx);
  await ctx.end();
});

test('direct-tcpip refusals by policy: ADMINISTRATIVELY_PROHIBITED before any connect', async () => {
  const target = await tcpTarget(echo);
  const port = target.port;
  const other = (port % 65535) + 1;
  const denied: [Partial<ForwardingPolicy>, RegExp][] = [
    [{ allowTcpForwarding: 'no' }, /TCP forwarding is disabled/],
    [{ allowTcpForwarding: 'remote' }, /direct-tcpip\) is disabled/],
    [{ portForwarding: false }, /no-port-forwarding/],
    [{ permitOpen: [{ host: '127.0.0.1', port: other }] }, /permitopen/],
    [{ permitOpen: [{ host: 'localhost', port }] }, /permitopen/], // names are not looked up
    [{ permitOpen: [{ host: '*', port: other }] }, /permitopen/], // any host, not any port
    [{ permitOpen: [{ host: '127.0.0.2', port: '*' }] }, /permitopen/], // any port, not any host
  ];
  for (const [policy, why] of denied) {
    const ctx = await setup(policy);
    const e = await openFailure(directTcpip(ctx.client, port));
    assert.equal(e.openReason, OpenFailureReason.ADMINISTRATIVELY_PROHIBITED);
    assert.match(e.description, why, JSON.stringify(policy));
    assert.ok(ctx.logs.some((l) => l.startsWith('refused direct-tcpip from 127.0.0.1 port 50022')));
    await ctx.end();
  }
  assert.equal(target.sockets.length, 0, 'no refused request reached the target');
  const allowed: Partial<ForwardingPolicy>[] = [
    { allowTcpForwarding: 'local' },
    { permitOpen: [{ host: '127.0.0.1', port: '*' }] },
    { permitOpen: [{ host: '*', port }] },
    {
      permitOpen: [
        { host: 'example.invalid', port: 1 },
        { host: '127.0.0.1', port },
      ],
    },
  ];
  for (const policy of allowed) {
    const ctx = await setup(policy);
    const ch = await directTcpip(ctx.client, port);
    const back = readAll(ch.incoming);
    ch.writable().end('x');
    assert.equal(await back, 'x', JSON.stringify(policy));
    await allClosed(ctx);
    await ctx.end();
  }
  await target.close();
});

test('direct-tcpip with malformed fields is refused, and the connection carries on', async () => {
  const ctx = await setup();
  const good = encodeTcpipOpen({
    host: '127.0.0.1',
    port: 1,
    originatorAddress: '',
    originatorPort: 0,
  });
  const trailing = Uint8Array.of(...good, 0);
  const bigPort = encodeTcpipOpen({
    host: 'h',
    port: 70000,
    originatorAddress: '',
    originatorPort: 0,
  });
  for (const extra of [trailing, bigPort, good.subarray(0, 6)]) {
    const e = await openFailure(ctx.client.openChannel('direct-tcpip', extra));
    assert.equal(e.openReason, OpenFailureReason.ADMINISTRATIVELY_PROHIBITED);
    assert.match(e.description, /direct-tcpip/);
  }
  const other = await openFailure(ctx.client.openChannel('x11', new Uint8Array(0)));
  assert.equal(other.description, 'open refused', 'other types go to the previous handler');
  assert.ok(!ctx.server.transport.isClosed);
  await ctx.end();
});

// ---- tcpip-forward ----------------------------------------------------------------------------

test('tcpip-forward port 0: the allocated port, forwarded-tcpip fields, data, cancel', async () => {
  const ctx = await setup();
  const opens = echoForwarded(ctx.client);
  const port = await forward(ctx.client, 'localhost', 0);
  assert.ok(port !== null && port > 0, 'a port was allocated and returned');
  const [listener] = ctx.forwarding.stats().listeners;
  assert.ok(listener);
  assert.equal(listener.port, port);
  const addrs = listener.bound.map((b) => b.address).sort();
  assert.ok(addrs.includes('127.0.0.1'), `bound to ${addrs.join(', ')}`);
  assert.ok(
    addrs.every((a) => a === '127.0.0.1' || a === '::1'),
    `bound to ${addrs.join(', ')}`,
  );

  const tcp = await tcpConnect(port);
  tcp.write('ping');
  assert.equal(await readSome(tcp, 4), 'ping');
  assert.deepEqual(opens[0], {
    host: 'localhost',
    port,
    originatorAddress: '127.0.0.1',
    originatorPort: tcp.localPort,
  });
  if (addrs.includes('::1')) {
    const tcp6 = await tcpConnect(port, '::1');
    tcp6.end('six');
    assert.equal(await readAll(tcp6), 'six');
    assert.equal(opens[1]?.originatorAddress, '::1');
  }

  assert.equal(await cancel(ctx.client, 'localhost', port === 65535 ? 1 : port + 1), false);
  assert.equal(await cancel(ctx.client, '127.0.0.1', port), false, 'named as it was asked for');
  assert.equal(await cancel(ctx.client, 'localhost', port), true);
  assert.equal(ctx.forwarding.stats().listeners.length, 0);
  assert.equal(await connectError(port), 'ECONNREFUSED', 'no new connections after cancel');
  tcp.write('still here');
  assert.equal(await readSome(tcp, 10), 'still here', 'an accepted connection outlives cancel');
  tcp.end();
  await new Promise((r) => tcp.once('close', r));
  assert.equal(await cancel(ctx.client, 'localhost', port), false, 'already cancelled');
  await allClosed(ctx);
  await ctx.end();
});

test('GatewayPorts off binds loopback whatever the client asks; on, it honours the address', async () => {
  const ctx = await setup({ gatewayPorts: false });
  echoForwarded(ctx.client);
  const port = await forward(ctx.client, '0.0.0.0', 0);
  assert.ok(port);
  const only = await forward(ctx.client, '127.0.0.1', 0);
  assert.ok(only);
  const [wild, v4] = ctx.forwarding.stats().listeners;
  assert.ok(wild && v4);
  assert.equal(wild.bindAddress, '0.0.0.0');
  const wildAddrs = wild.bound.map((b) => b.address);
  assert.ok(wildAddrs.includes('127.0.0.1'));
  assert.ok(
    wildAddrs.every((a) => a === '127.0.0.1' || a === '::1'),
    `"0.0.0.0" bound to ${wildAddrs.join(', ')}`,
  );
  assert.deepEqual(
    v4.bound.map((b) => b.address),
    ['127.0.0.1'],
  );
  const tcp = await tcpConnect(port);
  tcp.end('via loopback');
  assert.equal(await readAll(tcp), 'via loopback');
  await ctx.end();
  // GatewayPorts on (not bound here: tests stay on loopback).
  const on = (a: string): unknown => bindTargets(a, true);
  assert.deepEqual(on('0.0.0.0'), [{ host: '0.0.0.0', ipv6Only: false }]);
  assert.deepEqual(on(''), [
    { host: '0.0.0.0', ipv6Only: false },
    { host: '::', ipv6Only: true },
  ]);
  assert.deepEqual(on('*'), on(''));
  assert.deepEqual(on('LocalHost'), bindTargets('0.0.0.0', false));
  assert.deepEqual(on('192.0.2.7'), [{ host: '192.0.2.7', ipv6Only: false }]);
  assert.equal(on('gateway.example'), 'lookup');
  assert.deepEqual(bindTargets('::1', false), [{ host: '::1', ipv6Only: false }]);
});

test('tcpip-forward refusals: AllowTcpForwarding, no-port-forwarding, permitlisten', async () => {
  const denied: [Partial<ForwardingPolicy>, string][] = [
    [{ allowTcpForwarding: 'local' }, 'tcpip-forward) is disabled'],
    [{ allowTcpForwarding: 'no' }, 'TCP forwarding is disabled'],
    [{ portForwarding: false }, 'no-port-forwarding'],
    [{ permitListen: [{ host: 'localhost', port: 2222 }] }, 'permitlisten'], // port 0 asked
    [{ permitListen: [{ host: '127.0.0.1', port: '*' }] }, 'permitlisten'], // "localhost" asked
  ];
  for (const [policy, why] of denied) {
    const ctx = await setup(policy);
    assert.equal(await forward(ctx.client, 'localhost', 0), null, JSON.stringify(policy));
    assert.equal(ctx.forwarding.stats().listeners.length, 0);
    assertLogged(ctx, why);
    await ctx.end();
  }
  const allowed: Partial<ForwardingPolicy>[] = [
    { allowTcpForwarding: 'remote' },
    { permitListen: [{ host: 'localhost', port: '*' }] },
    { permitListen: [{ host: '*', port: 0 }] },
    { permitListen: [{ host: 'LOCAL*', port: '*' }] }, // a pattern, case-insensitive
  ];
  for (const policy of allowed) {
    const ctx = await setup(policy);
    assert.ok(await forward(ctx.client, 'localhost', 0), JSON.stringify(policy));
    await ctx.end();
  }
});

test('tcpip-forward on a port in use fails; the listener limit holds', async () => {
  const busy = await tcpTarget(() => {});
  const ctx = await setup({ maxListeners: 3 });
  assert.equal(await forward(ctx.client, '127.0.0.1', busy.port), null);
  assert.ok(
    ctx.logs.some((l) => /address already in use/i.test(l)),
    ctx.logs.join(' | '),
  );
  const ports = await Promise.all([1, 2, 3, 4].map(() => forward(ctx.client, '127.0.0.1', 0)));
  assert.equal(ports.filter((p) => p !== null).length, 3, 'at most 3 listeners');
  assert.ok(ctx.logs.some((l) => l.includes('too many remote forwards (at most 3)')));
  const first = ports.find((p) => p !== null);
  assert.ok(first);
  assert.equal(await cancel(ctx.client, '127.0.0.1', first), true);
  assert.ok(await forward(ctx.client, '127.0.0.1', 0), 'room again after a cancel');
  await ctx.end();
  await busy.close();
});

test('a forwarded-tcpip open the client refuses closes the TCP connection', async () => {
  const ctx = await setup(); // the client's default handler refuses every open
  const port = await forward(ctx.client, '127.0.0.1', 0);
  assert.ok(port);
  const tcp = await tcpConnect(port);
  tcp.on('error', () => {}); // unread data at close can make it a reset
  const got: Buffer[] = [];
  tcp.on('data', (d: Buffer) => got.push(d));
  tcp.write('lost');
  await new Promise((r) => tcp.once('close', r));
  assert.equal(Buffer.concat(got).length, 0, 'nothing came back');
  assert.ok(ctx.logs.some((l) => l.includes('forwarded-tcpip from 127.0.0.1')));
  await allClosed(ctx);
  await ctx.end();
});

test('200 short connections through one forward leave no channel, socket or tunnel', async () => {
  const ctx = await setup();
  echoForwarded(ctx.client);
  const port = await forward(ctx.client, '127.0.0.1', 0);
  assert.ok(port);
  let done = 0;
  for (let batch = 0; batch < 10; batch++) {
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const tcp = await tcpConnect(port);
        const msg = `connection ${batch * 20 + i}`;
        tcp.end(msg);
        assert.equal(await readAll(tcp), msg);
        await new Promise((r) => (tcp.closed ? r(null) : tcp.once('close', r)));
        done++;
      }),
    );
  }
  assert.equal(done, 200);
  await allClosed(ctx);
  assert.equal(ctx.forwarding.stats().listeners.length, 1, 'the forward itself stays');
  await ctx.end();
});

// ---- shutdown ---------------------------------------------------------------------------------

test("the connection's end closes every listener and forwarded socket", async () => {
  const ctx = await setup();
  echoForwarded(ctx.client);
  const port = await forward(ctx.client, 'localhost', 0);
  assert.ok(port);
  const target = await tcpTarget(() => {});
  const ch = await directTcpip(ctx.client, target.port);
  const inbound = await tcpConnect(port);
  inbound.write('hi');
  assert.equal(await readSome(inbound, 2), 'hi');
  const targetSocket = target.sockets[0];
  assert.ok(targetSocket);
  await ctx.end();
  // Both are half-open capable: the server's side going away shows as the end of their input.
  await Promise.all([gone(targetSocket), gone(inbound), ch.ended]);
  assert.ok(ctx.forwarding.closed);
  assert.equal(await connectError(port), 'ECONNREFUSED');
  const s = ctx.forwarding.stats();
  assert.equal(s.listeners.length, 0);
  await waitFor(() => ctx.forwarding.stats().sockets === 0, 'sockets closed');
  await target.close();
});

test('close() stops listeners and ends forwarded channels while the connection stays up', async () => {
  const ctx = await setup();
  const port = await forward(ctx.client, '127.0.0.1', 0);
  assert.ok(port);
  const target = await tcpTarget(() => {});
  const ch = await directTcpip(ctx.client, target.port);
  ctx.forwarding.close();
  await ch.closed;
  assert.equal(await connectError(port), 'ECONNREFUSED');
  const e = await openFailure(directTcpip(ctx.client, target.port));
  assert.equal(e.openReason, OpenFailureReason.ADMINISTRATIVELY_PROHIBITED);
  assert.equal(await forward(ctx.client, '127.0.0.1', 0), null);
  await allClosed(ctx);
  assert.ok(!ctx.server.transport.isClosed);
  await ctx.end();
  await target.close();
});
