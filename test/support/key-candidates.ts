/**
 * User keys for auth tests before core/keys exists in full: an in-memory key pair as a
 * KeyCandidate (core/auth/client.ts) and its authorized_keys line.
 */
import { generateHostKeyPair } from '../../core/crypto/hostkey/index.js';
import type { HostKeyPair } from '../../core/crypto/hostkey/types.js';
import type { KeyCandidate } from '../../core/auth/client.js';

export type TestKeyType = Parameters<typeof generateHostKeyPair>[0];

export interface TestKey {
  readonly pair: HostKeyPair;
  readonly candidate: KeyCandidate;
  readonly authorizedLine: string;
  /** How many times the private side was asked for (a passphrase prompt, in real life). */
  readonly loads: () => number;
}

export function testKey(type: TestKeyType, source = `test ${type}`): TestKey {
  const pair = generateHostKeyPair(type, type === 'ssh-rsa' ? 2048 : undefined);
  let loads = 0;
  const candidate: KeyCandidate = {
    publicKey: pair.publicKey,
    algorithms: pair.algorithms,
    source,
    signer: async () => {
      loads++;
      return {
        publicKey: pair.publicKey,
        comment: source,
        source,
        algorithms: pair.algorithms,
        sign: async (alg: string, data: Uint8Array) => pair.sign(alg, data),
      };
    },
  };
  const authorizedLine = `${pair.publicKey.type} ${Buffer.from(pair.publicKey.blob).toString('base64')} ${source.replace(/\s/g, '_')}`;
  return { pair, candidate, authorizedLine, loads: () => loads };
}
