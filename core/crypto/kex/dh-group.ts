/**
 * diffie-hellman-group14-sha256, diffie-hellman-group16-sha512, diffie-hellman-group18-sha512
 * (RFC 8268 §3, groups from RFC 3526), in SSH_MSG_KEXDH_INIT/REPLY (RFC 4253 §8).
 *
 * Private exponent: 512 bits for every group. That is OpenSSH's floor (dh_gen_key uses twice
 * the negotiated cipher's key bits, at least 2 × 256), twice the 256-bit strength of our
 * strongest ciphers, and within the exponent sizes RFC 3526 §8 suggests for every group
 * (220–320 bits for 2048-bit p up to 380–620 for 8192-bit p). Longer only costs time.
 */
import type { DirectKexMethod, KexHashName } from './types.js';
import { dhBackend, type DhBackend } from './dh-backend.js';
import { dhClientSession, dhRespond, type DhGroupParams } from './dh-session.js';
import { modpGroups, type ModpGroup } from './modp-groups.js';

export const DH_PRIVATE_BITS = 512;

export type DhGroupName =
  | 'diffie-hellman-group14-sha256'
  | 'diffie-hellman-group16-sha512'
  | 'diffie-hellman-group18-sha512';

const groups: Readonly<Record<DhGroupName, { group: ModpGroup; hash: KexHashName }>> = {
  'diffie-hellman-group14-sha256': { group: modpGroups.group14, hash: 'sha256' },
  'diffie-hellman-group16-sha512': { group: modpGroups.group16, hash: 'sha512' },
  'diffie-hellman-group18-sha512': { group: modpGroups.group18, hash: 'sha512' },
};

/** A fixed-group method; `backend` defaults to the self-tested choice at each use. */
export function dhGroupMethod(name: DhGroupName, backend?: DhBackend): DirectKexMethod {
  const { group, hash } = groups[name];
  const params: DhGroupParams = { p: group.p, g: group.g, privateBits: DH_PRIVATE_BITS };
  return {
    kind: 'direct',
    name,
    hash,
    createClient: () => dhClientSession(params, backend ?? dhBackend()),
    respond: (clientPublic) => dhRespond(params, clientPublic, backend ?? dhBackend()),
  };
}
