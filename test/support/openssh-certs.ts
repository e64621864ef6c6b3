// OpenSSH certificates made by the real ssh-keygen in a test's temp dir: CA keys, user and host
// keys, and `ssh-keygen -s` certificates with chosen principals, validity and options.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export type KeygenType = 'ed25519' | 'ecdsa256' | 'ecdsa384' | 'ecdsa521' | 'rsa';

function typeArgs(t: KeygenType): string[] {
  if (t === 'ed25519') return ['-t', 'ed25519'];
  if (t === 'rsa') return ['-t', 'rsa', '-b', '2048'];
  return ['-t', 'ecdsa', '-b', t.slice(5)];
}

/** ssh-keygen -t … -N '' -f path: returns path (private key; path.pub beside it). */
export function makeKey(path: string, type: KeygenType, comment = 'keyway-test'): string {
  execFileSync('ssh-keygen', ['-q', ...typeArgs(type), '-N', '', '-C', comment, '-f', path], {
    stdio: 'ignore',
  });
  return path;
}

export interface SignOptions {
  readonly id?: string;
  /** -n: comma-joined; omitted: no principals. */
  readonly principals?: readonly string[];
  readonly host?: boolean;
  /** -V, e.g. '-5m:+1h', '20200101:20200102'. */
  readonly validity?: string;
  /** -O options, e.g. 'force-command=/bin/true', 'source-address=10.0.0.0/8'. */
  readonly options?: readonly string[];
  readonly serial?: number;
  /** -t: the CA signature algorithm (rsa-sha2-256, …). */
  readonly algorithm?: string;
}

/** ssh-keygen -s ca … pubPath: returns the certificate path (`<key>-cert.pub`). */
export function signKey(caPath: string, pubPath: string, o: SignOptions = {}): string {
  const args = ['-q', '-s', caPath, '-I', o.id ?? 'keyway-test-cert'];
  if (o.principals !== undefined) args.push('-n', o.principals.join(','));
  if (o.host === true) args.push('-h');
  if (o.validity !== undefined) args.push('-V', o.validity);
  for (const opt of o.options ?? []) args.push('-O', opt);
  if (o.serial !== undefined) args.push('-z', String(o.serial));
  if (o.algorithm !== undefined) args.push('-t', o.algorithm);
  args.push(pubPath);
  execFileSync('ssh-keygen', args, { stdio: 'ignore' });
  return pubPath.replace(/\.pub$/, '') + '-cert.pub';
}

/** The blob of a one-line public key or certificate file. */
export function blobOf(path: string): Uint8Array {
  const b64 = readFileSync(path, 'utf8').trim().split(/\s+/)[1] ?? '';
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

/** The first words of a one-line file: "<type> <base64>". */
export function publicLine(path: string): string {
  return readFileSync(path, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
}
