/**
 * The forwards of `keyway ssh` (-L, -R, -D and LocalForward / RemoteForward / DynamicForward),
 * started once the connection is authenticated, with ssh(1)'s messages on stderr:
 * - a listener that cannot bind says why, then "Could not request local forwarding.";
 * - a refused -R says "Warning: remote port forwarding failed for listen port N";
 * - -R with port 0 says "Allocated port N for remote forward to host:port" (socks:0 for a
 *   remote SOCKS forward, as ssh words it);
 * - with ExitOnForwardFailure, any of these ends keyway ssh with 255 (ssh's "Error: …");
 * - a connection through a forward whose channel the server refuses says
 *   "-L 127.0.0.1:8080:h:80: open failed: connect failed: …" (ssh names the channel
 *   number instead), and keyway carries on, as ssh does.
 * GatewayPorts decides where -L and -D listen when no bind address is given. Agent (-A) and X11
 * (-X, -Y) forwarding are set up here too, for the session to ask for (sessionForwarding).
 */
import { AgentForwarding } from '../client/agent-forward.js';
import { parseDisplay, readXauthCookie, X11Forwarding } from '../client/x11-forward.js';
import { generateUntrustedCookie, UNTRUSTED_SETUP_FAILED } from '../client/x11-untrusted.js';
import type { Session } from '../connection/session.js';
import type { SshClient } from '../client/connect.js';
import type { Forward } from '../client/forward.js';
import { Forwards } from '../client/forwards.js';
import { describeEndpoint, type ForwardSpec } from '../config/forward-spec.js';
import type { SshOptions } from '../config/ssh-options.js';
import { ChannelOpenError, SshError } from '../errors.js';
import { expandHome, type CliIo } from './ssh-connect.js';

/** RFC 4254 §5.1 reason codes as ssh prints them (channels.c reason2txt). */
const REASONS: Record<number, string> = {
  1: 'administratively prohibited',
  2: 'connect failed',
  3: 'unknown channel type',
  4: 'resource shortage',
};

export interface SshForwards {
  readonly forwards: Forwards;
  /** False when ExitOnForwardFailure is set and a forward failed to start. */
  readonly ok: boolean;
}

function watch(f: Forward, io: CliIo, debug: (line: string) => void): void {
  f.on('connection', (from) => debug(`Connection to ${f.description} from ${from}`));
  f.on('connectionClosed', (e) => {
    if (e instanceof ChannelOpenError) {
      const reason = REASONS[e.openReason] ?? `unknown reason ${e.openReason}`;
      io.err(`${f.description}: open failed: ${reason}: ${e.description}`);
    } else if (e) {
      debug(`${f.description}: ${e.message}`);
    }
  });
}

export async function startSshForwards(
  client: SshClient,
  o: SshOptions,
  io: CliIo,
  debug: (line: string) => void,
): Promise<SshForwards> {
  const forwards = new Forwards(client.connection, { gatewayPorts: o.gatewayPorts ?? false });
  const exitOnFailure = o.exitOnForwardFailure === true;
  const start = (spec: ForwardSpec): Forward => {
    const f = forwards.add(spec);
    watch(f, io, debug);
    return f;
  };
  const locals = [...o.localForwards, ...o.dynamicForwards].map(start);
  const remotes = o.remoteForwards.map(start);
  let ok = true;
  let localFailures = 0;
  for (const f of locals) {
    try {
      await f.ready;
      debug(`Local forwarding listening: ${f.description}`);
    } catch (e) {
      localFailures++;
      io.err(e instanceof Error ? e.message : String(e));
    }
  }
  if (localFailures > 0 && (exitOnFailure || localFailures === locals.length)) {
    io.err('Could not request local forwarding.');
    if (exitOnFailure) ok = false;
  }
  for (const f of remotes) {
    const spec = f.spec;
    if (spec.type !== 'remote') continue;
    try {
      await f.ready;
    } catch {
      const listen = spec.listen;
      const where = listen.kind === 'unix' ? `path ${listen.path}` : `port ${listen.port}`;
      io.err(
        `${exitOnFailure ? 'Error' : 'Warning'}: remote port forwarding failed for listen ${where}`,
      );
      if (exitOnFailure) ok = false;
      continue;
    }
    if (spec.listen.kind === 'tcp' && spec.listen.port === 0) {
      const target = spec.connect ? describeEndpoint(spec.connect) : 'socks:0';
      io.err(`Allocated port ${f.status().port ?? 0} for remote forward to ${target}`);
    }
  }
  return { forwards, ok };
}

/**
 * Agent forwarding for the session (-A, ForwardAgent yes or a socket path), or null when it
 * is off or there is no agent to forward ($SSH_AUTH_SOCK unset), as ssh goes on without it.
 */
function agentForwarding(client: SshClient, o: SshOptions): AgentForwarding | null {
  const v = o.forwardAgent;
  if (v === undefined || v === 'no') return null;
  const path = v === 'yes' ? process.env['SSH_AUTH_SOCK'] : expandHome(v);
  return path ? new AgentForwarding(client.connection, path) : null;
}

/**
 * X11 forwarding (-X, -Y, ForwardX11) for $DISPLAY, with ssh's warnings; null when off.
 * ForwardX11Trusted no (and no -Y) makes it untrusted: a cookie from `xauth generate …
 * untrusted` (x11-untrusted.ts), connections refused after ForwardX11Timeout (20 minutes).
 */
async function x11Forwarding(
  client: SshClient,
  o: SshOptions,
  io: CliIo,
): Promise<X11Forwarding | null> {
  const display = process.env['DISPLAY'];
  if (o.forwardX11 !== true || !display) return null;
  const log = (line: string): void => io.err(line);
  if (o.forwardX11Trusted === false) return untrustedX11(client, o, display, log);
  const cookie = await readXauthCookie(display);
  if (!cookie) io.err('Warning: No xauth data; using fake authentication data for X11 forwarding.');
  try {
    return new X11Forwarding(client.connection, display, cookie, log);
  } catch (e) {
    io.err(e instanceof SshError ? e.message : String(e));
    return null;
  }
}

async function untrustedX11(
  client: SshClient,
  o: SshOptions,
  display: string,
  log: (line: string) => void,
): Promise<X11Forwarding | null> {
  try {
    parseDisplay(display); // ssh checks DISPLAY before it runs xauth
  } catch (e) {
    log(e instanceof SshError ? e.message : String(e));
    return null;
  }
  const timeout = o.forwardX11Timeout ?? 1200;
  let cookie;
  try {
    cookie = await generateUntrustedCookie(display, timeout);
  } catch {
    cookie = null; // no temporary directory: the same as xauth failing
  }
  if (!cookie) {
    log(UNTRUSTED_SETUP_FAILED);
    return null;
  }
  try {
    return new X11Forwarding(client.connection, display, cookie, log, timeout * 1000 || null);
  } catch (e) {
    log(e instanceof SshError ? e.message : String(e));
    return null;
  }
}

/**
 * What the session asks for before its shell or command (agent, then X11 forwarding), or
 * undefined when nothing is to be asked.
 */
export async function sessionForwarding(
  client: SshClient,
  o: SshOptions,
  io: CliIo,
): Promise<((s: Session) => Promise<void>) | undefined> {
  const agent = agentForwarding(client, o);
  const x11 = await x11Forwarding(client, o, io);
  if (!agent && !x11) return undefined;
  return async (s) => {
    await agent?.request(s);
    if (x11 && !(await x11.request(s))) {
      io.err(`X11 forwarding request failed on channel ${s.channel.localId}`);
    }
  };
}
