/**
 * Agent forwarding, the client's side (ssh -A; OpenSSH PROTOCOL.agent): auth-agent-req@openssh.com
 * on a session channel asks the server for it, and every auth-agent@openssh.com channel the
 * server then opens is connected to the local agent's Unix socket and joined to it
 * (forward-pipe.ts), so the remote side's ssh-add and ssh use our agent. The agent's socket is
 * connected per channel; a channel is refused (CONNECT_FAILED) when the agent cannot be reached,
 * and refused (ADMINISTRATIVELY_PROHIBITED) when forwarding was never asked for or its open
 * carries data (the open has none). Ending the connection ends every agent channel.
 */
import { connect as netConnect, type Socket } from 'node:net';
import type { Connection } from '../connection/connection.js';
import { joinChannelSocket, socketErrorText, type Tunnel } from '../connection/forward-pipe.js';
import { OpenFailureReason } from '../connection/messages.js';
import type { Session } from '../connection/session.js';

export const AGENT_CHANNEL = 'auth-agent@openssh.com';
export const AGENT_REQUEST = 'auth-agent-req@openssh.com';

export class AgentForwarding {
  private readonly connection: Connection;
  private readonly agentPath: string;
  private requested = false;
  private readonly tunnels = new Set<Tunnel>();
  /** Agent channels the server opened, refused ones included. */
  opened = 0;

  constructor(connection: Connection, agentPath: string) {
    this.connection = connection;
    this.agentPath = agentPath;
    const previous = connection.onChannelOpen;
    connection.onChannelOpen = (type, extra, answer) => {
      if (type !== AGENT_CHANNEL) return previous(type, extra, answer);
      this.opened++;
      if (!this.requested || extra.length !== 0) {
        return answer.reject(
          OpenFailureReason.ADMINISTRATIVELY_PROHIBITED,
          'agent forwarding was not requested',
        );
      }
      const socket: Socket = netConnect({ path: this.agentPath, allowHalfOpen: true });
      socket.once('error', (e) =>
        answer.reject(OpenFailureReason.CONNECT_FAILED, `agent: ${socketErrorText(e)}`),
      );
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        const tunnel = joinChannelSocket(answer.accept(), socket);
        this.tunnels.add(tunnel);
        void tunnel.done.then(() => this.tunnels.delete(tunnel));
      });
    };
  }

  /** Agent connections open now. */
  get active(): number {
    return this.tunnels.size;
  }

  /** Asks for agent forwarding on a session (before its shell or exec, as ssh does). */
  async request(session: Session): Promise<void> {
    this.requested = true;
    await session.channel.request(AGENT_REQUEST, new Uint8Array(0), false);
  }
}
