/**
 * The client's agent forwarding (core/client/agent-forward.ts) over an in-memory connection
 * pair: an auth-agent@openssh.com open before forwarding was asked for is refused; once a
 * session asked, opens reach the local agent socket (a stand-in echoing server here) both
 * ways; an agent that cannot be reached refuses the open with CONNECT_FAILED.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { AGENT_CHANNEL, AgentForwarding } from '../../../core/client/agent-forward.js';
import { OpenFailureReason } from '../../../core/connection/index.js';
import { ChannelOpenError } from '../../../core/errors.js';
import { connectionPair } from '../../support/connection-pair.js';
import { tempDir } from '../../support/temp-dir.js';
import { waitFor } from '../../support/wait.js';

test('agent channels: refused until asked for, then joined to the agent socket', async () => {
  const dir = tempDir('agent-fwd-unit');
  const stand = createServer({ allowHalfOpen: true }, (s) => s.pipe(s));
  stand.listen(dir.path('agent.sock'));
  await once(stand, 'listening');
  try {
    const { client, server } = await connectionPair();
    const requests: string[] = [];
    server.onSession = (s) => {
      s.channel.onRequest = (r, answer) => {
        requests.push(`${r.type} ${r.wantReply}`);
        answer(true);
      };
    };
    const agent = new AgentForwarding(client, dir.path('agent.sock'));
    await assert.rejects(
      server.openChannel(AGENT_CHANNEL),
      (e: unknown) =>
        e instanceof ChannelOpenError &&
        e.openReason === OpenFailureReason.ADMINISTRATIVELY_PROHIBITED,
    );
    await agent.request(await client.openSession());
    await waitFor(() => requests.length === 1, 'the request');
    assert.deepEqual(requests, ['auth-agent-req@openssh.com false']);
    const ch = await server.openChannel(AGENT_CHANNEL);
    let got = '';
    ch.incoming.on('data', (d: Buffer) => (got += d.toString()));
    ch.writable().end('agent request bytes');
    await waitFor(() => got === 'agent request bytes', 'the echo through the agent socket');
    await ch.closed;
    await waitFor(() => agent.active === 0, 'the agent connection to close');
    assert.equal(agent.opened, 2);

    // the agent goes away: the next open is refused as a failed connect
    stand.close();
    await once(stand, 'close');
    await assert.rejects(
      server.openChannel(AGENT_CHANNEL),
      (e: unknown) =>
        e instanceof ChannelOpenError && e.openReason === OpenFailureReason.CONNECT_FAILED,
    );
    client.disconnect();
  } finally {
    stand.close();
    dir.cleanup();
  }
});
