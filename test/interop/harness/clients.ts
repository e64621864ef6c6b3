// The host's OpenSSH clients as test peers: ssh-keyscan and a non-interactive ssh that trusts
// nothing from ~/.ssh (no config, no known_hosts, no agent, only the given identity).
import { execFile } from 'node:child_process';

export interface ClientResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a client to completion without throwing on a non-zero exit. */
export function runClient(file: string, args: string[], timeoutMs = 15_000): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, LANG: 'C' };
    delete env['SSH_AUTH_SOCK'];
    execFile(file, args, { env, timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') reject(err);
      else resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
    });
  });
}

/**
 * `ssh-keyscan -t <types>` against 127.0.0.1:port; the 'type base64' lines, sorted. Note that
 * keyscan learns one ECDSA key per connection (it offers the curves in order 256, 384, 521).
 */
export async function keyscan(port: number, types = 'ed25519,ecdsa,rsa'): Promise<string[]> {
  const r = await runClient('/usr/bin/ssh-keyscan', ['-p', String(port), '-t', types, '127.0.0.1']);
  return r.stdout
    .split('\n')
    .filter((l) => l.length > 0 && !l.startsWith('#'))
    .map((l) => l.split(/\s+/).slice(1, 3).join(' '))
    .sort();
}

/** ssh -p port user@127.0.0.1 with `identity` only, host key accepted, no prompts. */
export function ssh(
  port: number,
  user: string,
  identity: string,
  extra: string[],
  remoteCommand: string,
): Promise<ClientResult> {
  // prettier-ignore
  const args = [
    '-F', '/dev/null',
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=no',
    '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'IdentitiesOnly=yes',
    '-o', 'IdentityAgent=none',
    '-i', identity,
    '-p', String(port),
    ...extra,
    `${user}@127.0.0.1`,
    remoteCommand,
  ];
  return runClient('/usr/bin/ssh', args);
}
