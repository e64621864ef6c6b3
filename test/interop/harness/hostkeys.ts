// Host keys for harness servers, made with the flavor's own tools: ssh-keygen (OpenSSH format)
// for sshd, dropbearkey (dropbear's format) for dropbear. Each key is described by its wire
// type and its public line as an OpenSSH .pub file or known_hosts entry has it.
import { readFile } from 'node:fs/promises';
import { runTool } from './roots.js';
import type { Workdir } from './roots.js';
import type { Flavor, HostKeyInfo, HostKeyType } from './types.js';

export const ALL_HOST_KEY_TYPES: readonly HostKeyType[] = [
  'ed25519',
  'ecdsa256',
  'ecdsa384',
  'ecdsa521',
  'rsa',
];

const RSA_BITS = '3072';

/** The wire name of a host key type (RFC 8709, RFC 5656 §6.2, RFC 4253 §6.6). */
export function wireType(t: HostKeyType): string {
  if (t === 'ed25519') return 'ssh-ed25519';
  if (t === 'rsa') return 'ssh-rsa';
  return `ecdsa-sha2-nistp${t.slice('ecdsa'.length)}`;
}

function algoAndBits(t: HostKeyType): [string, string | undefined] {
  if (t === 'ed25519') return ['ed25519', undefined];
  if (t === 'rsa') return ['rsa', RSA_BITS];
  return ['ecdsa', t.slice('ecdsa'.length)];
}

/** 'type base64' from a public-key line, checked against the expected type. */
function publicLine(text: string, type: string, from: string): string {
  for (const line of text.split('\n')) {
    const [t, b64] = line.trim().split(/\s+/);
    if (t === type && b64 !== undefined && /^[A-Za-z0-9+/]+=*$/.test(b64)) return `${t} ${b64}`;
  }
  throw new Error(`no ${type} public key in ${from}:\n${text}`);
}

function dedupe(types: readonly HostKeyType[]): HostKeyType[] {
  if (types.length === 0) throw new Error('hostKeyTypes is empty: a server needs a host key');
  return [...new Set(types)];
}

export async function makeOpenSshHostKeys(
  flavor: Flavor,
  wd: Workdir,
  types: readonly HostKeyType[],
): Promise<HostKeyInfo[]> {
  return Promise.all(
    dedupe(types).map(async (t) => {
      const name = `ssh_host_${t}_key`;
      const [algo, bits] = algoAndBits(t);
      const sizeArgs = bits === undefined ? [] : ['-b', bits];
      const args = ['-q', '-N', '', '-C', '', '-t', algo, ...sizeArgs, '-f', wd.server(name)];
      await runTool(flavor, '/usr/bin/ssh-keygen', args);
      const pub = await readFile(wd.host(`${name}.pub`), 'utf8');
      const type = wireType(t);
      return { type, publicLine: publicLine(pub, type, `${name}.pub`), path: wd.host(name) };
    }),
  );
}

export async function makeDropbearHostKeys(
  flavor: Flavor,
  wd: Workdir,
  types: readonly HostKeyType[],
): Promise<HostKeyInfo[]> {
  return Promise.all(
    dedupe(types).map(async (t) => {
      const name = `dropbear_${t}_host_key`;
      const [algo, bits] = algoAndBits(t);
      const sizeArgs = bits === undefined ? [] : ['-s', bits];
      await runTool(flavor, '/usr/bin/dropbearkey', [
        '-t',
        algo,
        ...sizeArgs,
        '-f',
        wd.server(name),
      ]);
      // -y prints "Public key portion is:", the public line, then the fingerprint.
      const { stdout } = await runTool(flavor, '/usr/bin/dropbearkey', [
        '-y',
        '-f',
        wd.server(name),
      ]);
      const type = wireType(t);
      return {
        type,
        publicLine: publicLine(stdout, type, `dropbearkey -y ${name}`),
        path: wd.host(name),
      };
    }),
  );
}
