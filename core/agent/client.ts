/**
 * AgentClient: talks to an SSH agent over a Unix socket (SSH_AUTH_SOCK) or, on Windows, the
 * OpenSSH named pipe (\\.\pipe\openssh-ssh-agent); node's net.connect({path}) opens both.
 * draft-ietf-sshm-ssh-agent; OpenSSH PROTOCOL.agent. The message codecs live in protocol.ts;
 * this file is only the socket adapter.
 *
 * Invariants:
 * - One request at a time per connection: requests queue and run in order, because agent
 *   replies carry no request id.
 * - The connection is opened on first use and kept; any error that could leave a reply in
 *   flight (timeout, malformed or unexpected bytes, the agent hanging up) destroys it, and the
 *   next request opens a fresh one. So one bad reply never desynchronises later requests.
 * - While idle the socket is unref'd: an open agent connection never keeps the process alive.
 */
import { connect, type Socket } from 'node:net';
import { AgentError } from '../errors.js';
import {
  decodeIdentitiesAnswer,
  decodeSignResponse,
  encodeRequestIdentities,
  encodeSignRequest,
  MAX_AGENT_IDENTITIES,
  MAX_AGENT_REPLY_LEN,
  ReplyFramer,
  type AgentKey,
} from './protocol.js';

/** The OpenSSH for Windows agent's pipe. */
export const WINDOWS_AGENT_PIPE = '\\\\.\\pipe\\openssh-ssh-agent';

/**
 * Where the agent is: SSH_AUTH_SOCK when set and non-empty; on Windows the OpenSSH pipe;
 * otherwise undefined (no agent).
 */
export function defaultAgentPath(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  const sock = env['SSH_AUTH_SOCK'];
  if (sock !== undefined && sock !== '') return sock;
  return platform === 'win32' ? WINDOWS_AGENT_PIPE : undefined;
}

export interface AgentClientOptions {
  /** Time for one request, from sending it to the whole reply. Default 30 s. */
  readonly timeoutMs?: number;
  /** Time to open the socket. Default 5 s. */
  readonly connectTimeoutMs?: number;
  /** Largest reply accepted. Default 256 KiB (OpenSSH's MAX_AGENT_REPLY_LEN). */
  readonly maxReplyBytes?: number;
  /** Most identities accepted in one answer. Default 2048 (OpenSSH's MAX_AGENT_IDENTITIES). */
  readonly maxIdentities?: number;
}

interface Pending {
  resolve(payload: Uint8Array): void;
  reject(e: AgentError): void;
}

function connectError(path: string, e: NodeJS.ErrnoException): AgentError {
  const details = { path, errno: e.code };
  const opts = { cause: e };
  switch (e.code) {
    case 'ENOENT':
      return new AgentError(
        'unavailable',
        `agent socket ${path} does not exist (is ssh-agent running? check SSH_AUTH_SOCK)`,
        details,
        opts,
      );
    case 'ECONNREFUSED':
      return new AgentError(
        'unavailable',
        `nothing is listening on agent socket ${path} (a stale SSH_AUTH_SOCK?)`,
        details,
        opts,
      );
    case 'EACCES':
    case 'EPERM':
      return new AgentError(
        'unavailable',
        `permission denied on agent socket ${path}`,
        details,
        opts,
      );
    default:
      return new AgentError(
        'unavailable',
        `cannot connect to the agent at ${path}: ${e.message}`,
        details,
        opts,
      );
  }
}

export class AgentClient {
  readonly path: string;
  private readonly timeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly maxReplyBytes: number;
  private readonly maxIdentities: number;
  /** The open connection, or undefined; owned by open()/drop(). */
  private socket: Socket | undefined;
  private framer: ReplyFramer;
  /** The request awaiting its reply on `socket`; at most one. */
  private pending: Pending | undefined;
  /** The end of the request queue. Never rejects. */
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(path: string, options: AgentClientOptions = {}) {
    this.path = path;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    this.maxReplyBytes = options.maxReplyBytes ?? MAX_AGENT_REPLY_LEN;
    this.maxIdentities = options.maxIdentities ?? MAX_AGENT_IDENTITIES;
    this.framer = new ReplyFramer(this.maxReplyBytes);
  }

  /** The agent named by the environment (see defaultAgentPath); AgentError when there is none. */
  static fromEnv(
    env: NodeJS.ProcessEnv = process.env,
    options: AgentClientOptions = {},
  ): AgentClient {
    const path = defaultAgentPath(env);
    if (path === undefined) {
      throw new AgentError('unavailable', 'no SSH agent: SSH_AUTH_SOCK is not set');
    }
    return new AgentClient(path, options);
  }

  /** SSH_AGENTC_REQUEST_IDENTITIES: the keys the agent holds, supported or not. */
  listIdentities(): Promise<AgentKey[]> {
    return this.request(encodeRequestIdentities(), 'identities request').then((p) =>
      decodeIdentitiesAnswer(p, this.maxIdentities),
    );
  }

  /**
   * SSH_AGENTC_SIGN_REQUEST: signs `data` with the key whose blob is `blob`. Returns the
   * signature blob (string algorithm ‖ string signature) as the agent sent it. `flags`:
   * SSH_AGENT_RSA_SHA2_256 (2) or SSH_AGENT_RSA_SHA2_512 (4) for RSA keys, else 0.
   */
  sign(blob: Uint8Array, data: Uint8Array, flags = 0): Promise<Uint8Array> {
    return this.request(encodeSignRequest(blob, data, flags), 'sign request').then(
      decodeSignResponse,
    );
  }

  /** Closes the connection; queued and later requests fail with AgentError('closed'). */
  close(): void {
    this.closed = true;
    this.drop(
      new AgentError('closed', `agent client for ${this.path} was closed`, { path: this.path }),
    );
  }

  /** Queues one request; resolves with the reply payload. */
  private request(frameBytes: Uint8Array, what: string): Promise<Uint8Array> {
    const run = this.tail.then(() => this.exchange(frameBytes, what));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async exchange(frameBytes: Uint8Array, what: string): Promise<Uint8Array> {
    if (this.closed) {
      throw new AgentError('closed', `agent client for ${this.path} was closed`, {
        path: this.path,
      });
    }
    const socket = this.socket ?? (await this.open());
    if (this.closed) {
      this.drop(undefined);
      throw new AgentError('closed', `agent client for ${this.path} was closed`, {
        path: this.path,
      });
    }
    return new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.drop(
          new AgentError(
            'timeout',
            `agent at ${this.path} did not answer the ${what} within ${this.timeoutMs} ms`,
            {
              path: this.path,
              timeoutMs: this.timeoutMs,
            },
          ),
        );
      }, this.timeoutMs);
      this.pending = {
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      socket.ref();
      socket.write(frameBytes);
    });
  }

  private open(): Promise<Socket> {
    return new Promise<Socket>((resolve, reject) => {
      const socket = connect({ path: this.path });
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        socket.destroy();
        reject(
          new AgentError('timeout', `connecting to the agent at ${this.path} timed out`, {
            path: this.path,
          }),
        );
      }, this.connectTimeoutMs);
      socket.once('error', (e: NodeJS.ErrnoException) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(connectError(this.path, e));
      });
      socket.once('connect', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.attach(socket);
        resolve(socket);
      });
    });
  }

  /** Joins a connected socket to this client. */
  private attach(socket: Socket): void {
    this.socket = socket;
    this.framer = new ReplyFramer(this.maxReplyBytes);
    socket.unref();
    socket.on('data', (chunk: Buffer) => this.onData(socket, chunk));
    socket.on('error', (e) => {
      if (this.socket !== socket) return;
      this.drop(
        new AgentError(
          'closed',
          `agent connection ${this.path} failed: ${e.message}`,
          { path: this.path },
          { cause: e },
        ),
      );
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.drop(
        new AgentError('closed', `agent at ${this.path} closed the connection mid-reply`, {
          path: this.path,
        }),
      );
    });
  }

  private onData(socket: Socket, chunk: Buffer): void {
    if (this.socket !== socket) return;
    const pending = this.pending;
    if (pending === undefined) {
      // Bytes nobody asked for: the stream is out of step. Start afresh next time.
      this.drop(undefined);
      return;
    }
    let payload: Uint8Array | undefined;
    try {
      payload = this.framer.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    } catch (e) {
      this.drop(
        e instanceof AgentError ? e : new AgentError('protocol', String(e), { path: this.path }),
      );
      return;
    }
    if (payload === undefined) return;
    this.pending = undefined;
    if (this.framer.pending > 0) this.drop(undefined);
    else socket.unref();
    pending.resolve(payload);
  }

  /** Destroys the connection; the pending request, if any, fails with `err`. */
  private drop(err: AgentError | undefined): void {
    const socket = this.socket;
    const pending = this.pending;
    this.socket = undefined;
    this.pending = undefined;
    this.framer = new ReplyFramer(this.maxReplyBytes);
    socket?.destroy();
    if (pending !== undefined) {
      pending.reject(
        err ??
          new AgentError('protocol', `agent at ${this.path} sent an unexpected reply`, {
            path: this.path,
          }),
      );
    }
  }
}
