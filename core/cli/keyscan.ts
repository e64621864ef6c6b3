/**
 * `keyway keyscan`: ssh-keyscan(1) on Keyway's transport. For each host and each requested key
 * type it completes a key exchange restricted to that type's host-key algorithms, checks the
 * server's signature, and prints `host keytype base64` (`[host]:port` when the port is not 22),
 * in ssh-keyscan's order: rsa, ecdsa, ed25519. Comments (`# host:port version`) go to stderr.
 */
import { readFileSync } from 'node:fs';
import type { PublicKey } from '../crypto/hostkey/types.js';
import { DisconnectReason, SshError } from '../errors.js';
import { openTransport } from '../transport/open.js';
import { parseArgs, UsageError } from './args.js';

/** Key-type names ssh-keyscan takes with -t, in the order it reports them. */
const KEY_TYPES: readonly { name: string; algorithms: string[] }[] = [
  { name: 'rsa', algorithms: ['rsa-sha2-512', 'rsa-sha2-256'] },
  {
    name: 'ecdsa',
    algorithms: ['ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521'],
  },
  { name: 'ed25519', algorithms: ['ssh-ed25519'] },
];

export interface KeyscanIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export interface ScanResult {
  readonly key: PublicKey;
  readonly serverVersion: string;
}

/** One connection: the host key of one type, or null when the server has none of that type. */
export async function scanKey(
  host: string,
  port: number,
  algorithms: readonly string[],
  timeoutMs: number,
): Promise<ScanResult | null> {
  let seen: PublicKey | undefined;
  try {
    const { transport } = await openTransport({
      host,
      port,
      timeoutMs,
      algorithms: { hostKey: algorithms },
      verifyHostKey: (key) => {
        seen = key;
        return true;
      },
    });
    const version = transport.peerVersion ?? '';
    transport.disconnect(DisconnectReason.BY_APPLICATION, 'keyscan done');
    return seen ? { key: seen, serverVersion: version } : null;
  } catch (e) {
    if (
      e instanceof SshError &&
      e.code === 'ALGORITHM_NEGOTIATION_FAILED' &&
      e.details['category'] === 'host key'
    ) {
      return null;
    }
    throw e;
  }
}

export function hostLabel(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export async function keyscanMain(argv: readonly string[], io: KeyscanIo): Promise<number> {
  const args = parseArgs(argv, { withValue: ['p', 't', 'T', 'f'], flags: [] });
  const port = args.int('p', 22, 1, 65535);
  const timeoutMs = args.int('T', 5, 1, 86400) * 1000;
  const wanted = (args.value('t') ?? 'rsa,ecdsa,ed25519').split(',').map((s) => s.trim());
  for (const t of wanted) {
    if (!KEY_TYPES.some((k) => k.name === t)) throw new UsageError(`unknown key type "${t}"`);
  }
  const hosts = [...args.positionals];
  const file = args.value('f');
  if (file !== undefined) {
    const text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
    for (const line of text.split('\n')) {
      const h = line.replace(/#.*/, '').trim();
      if (h) hosts.push(h);
    }
  }
  if (hosts.length === 0) throw new UsageError('no host given');
  let failures = 0;
  for (const host of hosts) {
    for (const type of KEY_TYPES.filter((k) => wanted.includes(k.name))) {
      try {
        const r = await scanKey(host, port, type.algorithms, timeoutMs);
        if (!r) continue;
        io.err(`# ${host}:${port} ${r.serverVersion}`);
        io.out(
          `${hostLabel(host, port)} ${r.key.type} ${Buffer.from(r.key.blob).toString('base64')}`,
        );
      } catch (e) {
        failures++;
        io.err(`${host}:${port}: ${e instanceof Error ? e.message : String(e)}`);
        break;
      }
    }
  }
  return failures === 0 ? 0 : 1;
}
