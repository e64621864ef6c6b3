/**
 * The `keyway` command: dispatches to subcommands. Later issues add ssh, sftp, scp, keygen,
 * sshd. Exit codes follow OpenSSH's tools: 0 success, 1 failure, 255 for ssh's own errors.
 */
import { keygenMain } from './keygen.js';
import { copyIdMain } from './copy-id.js';
import { keyscanMain } from './keyscan.js';
import { scpMain } from './scp.js';
import { sftpMain } from './sftp.js';
import { sshMain } from './ssh.js';
import { sshdMain } from './sshd.js';
import { UsageError } from './args.js';
import { applyRuntimeTuning } from '../runtime-tuning.js';

const USAGE = `usage: keyway <command> [options]

commands:
  ssh [-p port] [-l user] [-i identity]... [-F configfile] [-o Option=value]... [-t|-T] [-N]
      [-J jump[,jump...]] [-W host:port] [-G]
      [-L [bind:]port:host:hostport]... [-R [bind:]port[:host:hostport]]... [-D [bind:]port]...
      [-A|-a] [-X|-Y|-x] destination [command...]
      log in and run a shell or a command, like ssh(1); destination is [user@]host or
      ssh://[user@]host[:port]
  sftp [-P port] [-i identity] [-b batchfile] [-o Option=value]... [-F configfile] [-r] [-p]
       [-J jump[,jump...]] destination
      transfer files interactively or from a batch file (- is stdin), like sftp(1);
      destination is [user@]host[:path] or sftp://[user@]host[:port][/path]
  scp [-P port] [-i identity] [-r] [-p] [-q] [-o Option=value]... [-F configfile]
      [-J jump[,jump...]] source... target
      copy files, like scp(1); a remote file is [user@]host:path or
      scp://[user@]host[:port][/path]
  keygen [-q] [-t ed25519|ecdsa|rsa] [-b bits] [-f file] [-N passphrase] [-C comment] [-a rounds]
  keygen -l [-v] [-E sha256|md5] -f file | -y [-P passphrase] -f file
  keygen -p [-P old] [-N new] [-a rounds] -f file | -D pkcs11:…|module
      make keys and show fingerprints, public keys and token keys, like ssh-keygen(1)
  copy-id [-i identity] [-p port] [-o Option=value]... [-F configfile] destination
      append a public key to the remote ~/.ssh/authorized_keys, like ssh-copy-id(1)
  keyscan [-p port] [-t rsa,ecdsa,ed25519] [-T timeout] [-f file] host...
      print the host keys of SSH servers, like ssh-keyscan(1)
  sshd [-p port (2222)] [-b address (127.0.0.1)] [-D datadir] [--authorized-keys file]...
       [--password-file file] [--allow-tcp-forwarding yes|no|local|remote] [--gateway-ports]
       [--allow-stream-local-forwarding yes|no|local|remote] [--stream-local-bind-mask octal]
       [--stream-local-bind-unlink] [--banner file] [--max-auth-tries n] [--login-grace-time seconds] [--idle-timeout seconds]
       [--sftp-root dir] [--trusted-user-ca-keys file] [--host-certificate file]... [-v]
      a headless SSH server for the running user, for local testing; its sftp subsystem
      is built in, --sftp-root jails it in a directory that clients see as /
`;

type Main = (
  argv: readonly string[],
  io: { out: (l: string) => void; err: (l: string) => void },
) => Promise<number>;

const commands: Record<string, Main> = {
  keygen: keygenMain,
  'copy-id': copyIdMain,
  keyscan: keyscanMain,
  scp: scpMain,
  sftp: sftpMain,
  ssh: sshMain,
  sshd: sshdMain,
};

export async function main(argv: readonly string[]): Promise<number> {
  applyRuntimeTuning(argv[0] === 'sshd' ? 'server' : 'client');
  const io = {
    out: (l: string) => process.stdout.write(l + '\n'),
    err: (l: string) => process.stderr.write(l + '\n'),
  };
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(USAGE);
    return name === undefined ? 1 : 0;
  }
  const cmd = commands[name];
  if (!cmd) {
    io.err(`keyway: unknown command "${name}"`);
    process.stderr.write(USAGE);
    return 1;
  }
  // ssh(1) exits 255 for its own errors, other tools 1
  const failure = name === 'ssh' ? 255 : 1;
  try {
    return await cmd(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`keyway ${name}: ${e.message}`);
      process.stderr.write(USAGE);
      return failure;
    }
    io.err(`keyway ${name}: ${e instanceof Error ? e.message : String(e)}`);
    return failure;
  }
}
