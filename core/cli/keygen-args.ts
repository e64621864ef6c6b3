/**
 * `keyway keygen` arguments, as ssh-keygen(1) takes them: one mode (generate by default; -l
 * fingerprint, -y public key, -p change passphrase, -D list a PKCS#11 module's keys), and the
 * options each mode reads: -t type, -b bits, -f file, -N new passphrase, -P old passphrase,
 * -C comment, -a bcrypt rounds, -E hash, -v (randomart with -l), -q quiet.
 */
import {
  BCRYPT_PBKDF_MAX_ROUNDS,
  DEFAULT_KDF_ROUNDS,
  type GeneratedKeyType,
} from '../keys/index.js';
import { parseArgs, UsageError } from './args.js';

export type KeygenMode = 'generate' | 'fingerprint' | 'public' | 'passphrase' | 'download';

export interface KeygenArgs {
  readonly mode: KeygenMode;
  readonly type: GeneratedKeyType;
  /** The -t word (ed25519, ecdsa, rsa): the default file is ~/.ssh/id_<word>. */
  readonly typeName: 'ed25519' | 'ecdsa' | 'rsa';
  readonly bits?: number;
  readonly file?: string;
  readonly newPassphrase?: string;
  readonly oldPassphrase?: string;
  readonly comment?: string;
  readonly rounds: number;
  readonly hash: 'SHA256' | 'MD5';
  readonly verbose: boolean;
  readonly quiet: boolean;
  /** -D: a pkcs11: URI or a module path. */
  readonly provider?: string;
}

const ECDSA_BITS: Readonly<Record<number, GeneratedKeyType>> = {
  256: 'ecdsa-sha2-nistp256',
  384: 'ecdsa-sha2-nistp384',
  521: 'ecdsa-sha2-nistp521',
};

function keyType(name: string, bits: number | undefined): GeneratedKeyType {
  if (name === 'ed25519') {
    if (bits !== undefined && bits !== 256) throw new UsageError('ed25519 keys have 256 bits');
    return 'ssh-ed25519';
  }
  if (name === 'ecdsa') {
    const t = ECDSA_BITS[bits ?? 256];
    if (t === undefined)
      throw new UsageError('Invalid ECDSA key length: valid lengths are 256, 384 or 521 bits');
    return t;
  }
  if (name === 'rsa') {
    const b = bits ?? 3072;
    if (b < 2048 || b > 8192)
      throw new UsageError(`Invalid RSA key length: ${b} bits (2048 to 8192)`);
    return 'ssh-rsa';
  }
  throw new UsageError(`unknown key type "${name}" (ed25519, ecdsa or rsa)`);
}

export function parseKeygenArgs(argv: readonly string[]): KeygenArgs {
  const a = parseArgs(argv, {
    withValue: ['t', 'b', 'f', 'N', 'P', 'C', 'a', 'E', 'D'],
    flags: ['l', 'v', 'y', 'p', 'q'],
  });
  if (a.positionals.length > 0) throw new UsageError(`unexpected argument "${a.positionals[0]}"`);
  const modes: KeygenMode[] = [];
  if (a.has('l')) modes.push('fingerprint');
  if (a.has('y')) modes.push('public');
  if (a.has('p')) modes.push('passphrase');
  if (a.has('D')) modes.push('download');
  if (modes.length > 1) throw new UsageError('-l, -y, -p and -D exclude each other');
  const mode = modes[0] ?? 'generate';
  const typeName = (a.value('t') ?? 'ed25519').toLowerCase();
  const bits = a.has('b') ? a.int('b', 0, 1, 65536) : undefined;
  const type = keyType(typeName, mode === 'generate' ? bits : undefined);
  const hash = (a.value('E') ?? 'sha256').toLowerCase();
  if (hash !== 'sha256' && hash !== 'md5')
    throw new UsageError(`-E: "${hash}" is not sha256 or md5`);
  const file = a.value('f');
  const newPassphrase = a.value('N');
  const oldPassphrase = a.value('P');
  const comment = a.value('C');
  const provider = a.value('D');
  return {
    mode,
    type,
    typeName: typeName as KeygenArgs['typeName'],
    ...(bits !== undefined ? { bits } : {}),
    ...(file !== undefined ? { file } : {}),
    ...(newPassphrase !== undefined ? { newPassphrase } : {}),
    ...(oldPassphrase !== undefined ? { oldPassphrase } : {}),
    ...(comment !== undefined ? { comment } : {}),
    rounds: a.int('a', DEFAULT_KDF_ROUNDS, 1, BCRYPT_PBKDF_MAX_ROUNDS),
    hash: hash === 'md5' ? 'MD5' : 'SHA256',
    verbose: a.has('v'),
    quiet: a.has('q'),
    ...(provider !== undefined ? { provider } : {}),
  };
}
