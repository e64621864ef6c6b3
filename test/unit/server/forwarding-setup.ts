/**
 * Shared setup for the sshd forwarding tests (forwarding.test.ts, streamlocal.test.ts): an
 * in-memory connection pair with serveForwarding on its server side under a policy that allows
 * everything unless a test says otherwise, the lines it logs, and the checks that every
 * channel, tunnel and socket is gone. What a test opens goes in `cleanups`, which each file
 * runs after every test (so a failing test does not hold the process open).
 */
import assert from 'node:assert/strict';
import { connectionPair } from '../../support/connection-pair.js';
import { waitFor } from '../../support/wait.js';
import type { Connection } from '../../../core/connection/index.js';
import { ChannelOpenError } from '../../../core/errors.js';
import {
  serveForwarding,
  type Forwarding,
  type ForwardingPolicy,
} from '../../../core/server/forwarding.js';

export const cleanups: (() => unknown)[] = [];

export async function runCleanups(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c();
}

export const ALLOW_ALL: ForwardingPolicy = {
  allowTcpForwarding: 'yes',
  gatewayPorts: false,
  portForwarding: true,
  permitOpen: [],
  permitListen: [],
  clientAddress: '127.0.0.1',
  clientPort: 50022,
};

export interface Ctx {
  readonly client: Connection;
  readonly server: Connection;
  readonly forwarding: Forwarding;
  readonly logs: string[];
  end(): Promise<void>;
}

export async function setup(policy: Partial<ForwardingPolicy> = {}): Promise<Ctx> {
  const { client, server, pair } = await connectionPair();
  const logs: string[] = [];
  const forwarding = serveForwarding(server, { ...ALLOW_ALL, ...policy }, (l) => logs.push(l));
  cleanups.push(() => {
    forwarding.close();
    pair.client.disconnect();
  });
  return {
    client,
    server,
    forwarding,
    logs,
    end: async () => {
      pair.client.disconnect();
      await server.closed;
    },
  };
}

/** The ChannelOpenError a channel open fails with (fails the test if it opens). */
export async function openFailure(p: Promise<unknown>): Promise<ChannelOpenError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ChannelOpenError, `expected ChannelOpenError, got ${String(e)}`);
    return e;
  }
  assert.fail('the open succeeded');
}

export async function allClosed(ctx: Ctx): Promise<void> {
  await waitFor(
    () => ctx.client.channelCount === 0 && ctx.server.channelCount === 0,
    'every channel closed on both sides',
  );
  await waitFor(() => ctx.forwarding.stats().sockets === 0, 'every forwarded socket closed');
  const s = ctx.forwarding.stats();
  assert.equal(s.direct + s.forwarded + s.opening, 0, 'no tunnel left');
}

/** Fails unless some line the forwarding logged contains `text`. */
export function assertLogged(ctx: Ctx, text: string): void {
  assert.ok(
    ctx.logs.some((l) => l.includes(text)),
    `${text} in ${ctx.logs.join(' | ')}`,
  );
}
