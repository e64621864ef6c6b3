/**
 * `keyway ssh`: ssh(1) on Keyway's engine. Options from the command line win over the config
 * file (-F, or ~/.ssh/config); the host key is checked against known_hosts per
 * StrictHostKeyChecking before anything about the user is sent; prompts for passwords,
 * passphrases and unknown host keys go to the terminal. Exit status: the remote command's, or
 * 255 when the connection fails, with one line saying why, as ssh prints it.
 */
import { SshError } from '../errors.js';
import { sessionEnvironment } from '../client/target-options.js';
import { connectTarget, describeFailure, resolveTarget } from './ssh-connect.js';
import { parseSshArgs } from './ssh-args.js';
import { resolveDestination } from '../config/ssh-config-host.js';
import { keepConnected } from './ssh-reconnect.js';
import { sessionForwarding, startSshForwards, type SshForwards } from './ssh-forwards.js';
import { runSession, wantPty } from './ssh-session.js';
import { forwardStdio } from './ssh-stdio-forward.js';
import { hostCertificateLine } from './cert-debug.js';

export { describeFailure } from './ssh-connect.js';

export interface SshIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export async function sshMain(argv: readonly string[], io: SshIo): Promise<number> {
  const args = parseSshArgs(argv);
  if (args.dumpConfig) {
    const r = await resolveDestination(
      args.options,
      args.destination,
      args.configFile,
      undefined,
      args.command.length > 0,
    );
    for (const w of r.resolved.state.warnings) io.err(w);
    for (const line of r.dump) io.out(line);
    return 0;
  }
  const target = await resolveTarget(args.options, args.destination, args.configFile);
  const { options: o, host, port, user } = target;
  const debug = (line: string): void => {
    if (args.verbose > 0) io.err(`debug1: ${line}`);
  };
  for (const line of target.notActedOn) debug(`ssh_config option not acted on yet: ${line}`);
  debug(`Connecting to ${host} port ${port}.`);
  if (args.noCommand && o.reconnect === true) {
    // the forwards come back with every new connection (the old ones closed with theirs)
    let previous: SshForwards | null = null;
    return keepConnected(target, io, {
      onConnect: async (client) => {
        await previous?.forwards.closeAll();
        previous = await startSshForwards(client, o, io, debug);
        if (!previous.ok) throw new SshError('a forward failed (ExitOnForwardFailure)');
      },
    });
  }
  try {
    const client = await connectTarget(target, io);
    if (args.stdioForward) {
      return await forwardStdio(client, args.stdioForward, io, { stdin: process.stdin });
    }
    debug(`Remote protocol version: ${client.transport.peerVersion ?? ''}`);
    const kex = await client.transport.ready;
    const n = kex.negotiated;
    debug(`kex: algorithm: ${n.kex}, host key algorithm: ${n.hostKey}`);
    const cert = client.transport.hostKey?.certificate;
    if (cert) debug(hostCertificateLine(cert));
    debug(`kex: cipher: ${n.cipherCtoS} MAC: ${n.macCtoS ?? '<implicit>'}`);
    debug(`Authenticated to ${host} ([${host}]:${port}) using "${client.authMethod}".`);
    if (!(await startSshForwards(client, o, io, debug)).ok) {
      client.close();
      return 255;
    }
    if (args.noCommand) {
      const e = await client.closed;
      return e ? (io.err(describeFailure(e, user, host, port)), 255) : 0;
    }
    const env = sessionEnvironment(o);
    const pty = wantPty(
      o.requestTty,
      args.tty,
      args.command.length > 0,
      process.stdin.isTTY === true,
    );
    if (pty && !process.stdin.isTTY && args.tty === 1)
      io.err('Pseudo-terminal will not be allocated because stdin is not a terminal.');
    const prepare = await sessionForwarding(client, o, io);
    const code = await runSession(client, {
      ...(prepare ? { prepare } : {}),
      host,
      command: args.command,
      pty,
      env,
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
    });
    const ended = await Promise.race([client.closed, Promise.resolve(undefined)]);
    client.close();
    if (ended instanceof SshError && !(ended.code === 'DISCONNECTED_BY_PEER')) {
      io.err(describeFailure(ended, user, host, port));
      return 255;
    }
    return code;
  } catch (e) {
    io.err(describeFailure(e, user, host, port));
    return 255;
  }
}
