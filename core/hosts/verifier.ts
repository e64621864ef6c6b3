/**
 * Host-key policy: StrictHostKeyChecking as ssh_config(5) and sshconnect.c check_host_key give
 * it, as the transport's HostKeyVerifier (CONVENTIONS §9: the default answer is no).
 *
 *                 match   unknown                         mismatch            revoked
 *   yes           accept  refuse (unknown)                refuse (mismatch)   refuse
 *   ask           accept  ask(); yes → record + accept    refuse (mismatch)   refuse
 *   accept-new    accept  record + accept                 refuse (mismatch)   refuse
 *   no            accept  record + accept                 accept, loudly *    refuse **
 *
 * *  OpenSSH goes on with a changed key under "no" but turns off password and
 *    keyboard-interactive authentication, agent/X11/port forwarding and UpdateHostkeys. We do the
 *    same in spirit: `onEvent` is required under "no" and receives a 'changed-key-accepted'
 *    event listing what the caller must turn off (`disable`) before authenticating.
 * ** OpenSSH lets a revoked key through under "no" (with the same restrictions); we never do.
 *
 * An unknown key that cannot be recorded (no user known_hosts file, or a host name with
 * characters OpenSSH will not write) is refused under every policy, as OpenSSH does. A failed
 * write is reported ('add-failed') and the key is still accepted for this connection, as
 * OpenSSH does ("Failed to add the host to the list of known hosts").
 * Files are read afresh on every check; missing files are empty.
 *
 * A host certificate is judged by host-certificate.ts first: accepted through a matching
 * `@cert-authority` line, or, when no CA line names the host, its certified plain key goes
 * through the table above. A certificate that fails a check is still let in by a plain
 * known_hosts line for its key (ssh's "Retry with plain key"), unless it is revoked;
 * otherwise the HostCertificateError naming the failed check stands.
 */
import type { HostKeyVerifier } from '../transport/transport.js';
import type { PublicKey } from '../crypto/hostkey/types.js';
import { fingerprintSha256 } from '../crypto/fingerprint.js';
import { HostCertificateError, HostKeyError, type HostKeyErrorKey } from '../errors.js';
import { checkHostCertificate } from './host-certificate.js';
import { readKnownHosts, type KnownHostsBadLine } from './known-hosts.js';
import { lookupIn, otherNames, type HostKeyLookup, type KnownKey } from './lookup.js';
import { isRecordableHost, knownHostName } from './patterns.js';
import {
  appendKnownHostsLine,
  formatKnownHostsLine,
  nodeKnownHostsFs,
  type KnownHostsFs,
} from './write.js';

export type StrictHostKeyChecking = 'yes' | 'ask' | 'accept-new' | 'no';

/** What the caller must turn off after accepting a changed key under "no" (as OpenSSH does). */
export const UNSAFE_AFTER_CHANGED_KEY = [
  'password',
  'keyboard-interactive',
  'agent-forwarding',
  'x11-forwarding',
  'port-forwarding',
] as const;

/** What `ask` is shown for an unknown host key. */
export interface HostKeyPrompt {
  readonly host: string;
  readonly port: number;
  /** The name it would be recorded under: `host` or `[host]:port`. */
  readonly name: string;
  readonly keyType: string;
  readonly fingerprint: string;
  /** Where it would be recorded. */
  readonly file: string;
  /** Other names this same key is recorded under ("known by the following other names"). */
  readonly otherNames: readonly KnownKey[];
}

export type HostKeyEvent =
  | {
      readonly kind: 'added';
      readonly file: string;
      readonly name: string;
      readonly keyType: string;
      readonly fingerprint: string;
    }
  | { readonly kind: 'add-failed'; readonly file: string; readonly error: Error }
  | {
      readonly kind: 'changed-key-accepted';
      readonly name: string;
      readonly keyType: string;
      readonly fingerprint: string;
      readonly known: readonly KnownKey[];
      readonly disable: typeof UNSAFE_AFTER_CHANGED_KEY;
    }
  | { readonly kind: 'bad-lines'; readonly lines: readonly KnownHostsBadLine[] };

interface CommonOptions {
  readonly host: string;
  /** Default 22. */
  readonly port?: number;
  /** User files (UserKnownHostsFile): all are read; new keys are added to the first. */
  readonly knownHostsFiles: readonly string[];
  /** System files (GlobalKnownHostsFile): read, never written. */
  readonly globalKnownHostsFiles?: readonly string[];
  /** HashKnownHosts: record new hosts as |1|salt|hash. */
  readonly hashKnownHosts?: boolean;
  readonly onEvent?: (event: HostKeyEvent) => void;
  /** File operations for writing (tests inject failures). */
  readonly fs?: KnownHostsFs;
}

export type HostKeyPolicy =
  | (CommonOptions & { readonly strict: 'yes' | 'accept-new' })
  | (CommonOptions & {
      readonly strict: 'ask';
      readonly ask: (prompt: HostKeyPrompt) => Promise<boolean>;
    })
  | (CommonOptions & { readonly strict: 'no'; readonly onEvent: (event: HostKeyEvent) => void });

/** How a key got through. */
export interface HostKeyDecision {
  readonly lookup: HostKeyLookup;
  /** known: matched a line; added: was unknown and is now recorded (or failed to be); unsafe: changed, accepted under "no". */
  readonly action: 'known' | 'added' | 'unsafe';
}

function errorKeys(keys: readonly KnownKey[]): HostKeyErrorKey[] {
  return keys.map((k) => ({
    file: k.file,
    line: k.line,
    hosts: k.hosts,
    type: k.type,
    fingerprint: k.fingerprint,
  }));
}

function where(keys: readonly KnownKey[]): string {
  return keys.map((k) => `${k.type} ${k.fingerprint} (${k.file}:${k.line})`).join('; ');
}

/**
 * Checks `key` for the policy's host; resolves with how it got through, or throws HostKeyError.
 * hostKeyVerifier() wraps this for the transport; the app's known_hosts manager may call it.
 */
export async function checkHostKey(
  policy: HostKeyPolicy,
  presentedKey: Pick<PublicKey, 'type' | 'blob' | 'certificate'>,
): Promise<HostKeyDecision> {
  const port = policy.port ?? 22;
  const paths = [...policy.knownHostsFiles, ...(policy.globalKnownHostsFiles ?? [])];
  const files = await Promise.all(paths.map(readKnownHosts));
  const bad = files.flatMap((f) => f.bad);
  if (bad.length > 0) policy.onEvent?.({ kind: 'bad-lines', lines: bad });
  let key: Pick<PublicKey, 'type' | 'blob'> = presentedKey;
  const cert = presentedKey.certificate;
  if (cert !== undefined) {
    let r;
    try {
      r = checkHostCertificate(files, policy.host, port, presentedKey, Date.now());
    } catch (e) {
      // as ssh retries with the plain key: a recorded plain key still lets the host in
      const plain = lookupIn(files, policy.host, port, cert.key);
      const revoked = e instanceof HostCertificateError && e.check.startsWith('revoked');
      if (revoked || plain.status !== 'match') throw e;
      return { lookup: plain, action: 'known' };
    }
    if (r.kind === 'accepted') {
      const ca = { ...r.ca, fingerprint: fingerprintSha256(r.ca.blob) };
      const name = knownHostName(policy.host, port);
      return {
        lookup: { status: 'match', name, known: [ca], found: ca, badLines: bad.length },
        action: 'known',
      };
    }
    key = cert.key; // no CA for this host: the plain key is checked (ssh's retry)
  }
  const result = lookupIn(files, policy.host, port, key);
  const fingerprint = fingerprintSha256(key.blob);
  const presented = { type: key.type, fingerprint };
  const fail = (
    kind: 'unknown' | 'mismatch' | 'revoked',
    message: string,
    known: readonly KnownKey[],
  ): never => {
    throw new HostKeyError(kind, `Host key verification failed: ${message}`, {
      host: result.name,
      presented,
      known: errorKeys(known),
    });
  };

  switch (result.status) {
    case 'match':
      return { lookup: result, action: 'known' };
    case 'revoked':
      return fail(
        'revoked',
        `the ${key.type} host key for ${result.name} (${fingerprint}) is marked as revoked in ${result.known
          .map((k) => `${k.file}:${k.line}`)
          .join(', ')}`,
        result.known,
      );
    case 'mismatch':
      if (policy.strict === 'no') {
        policy.onEvent({
          kind: 'changed-key-accepted',
          name: result.name,
          keyType: key.type,
          fingerprint,
          known: result.known,
          disable: UNSAFE_AFTER_CHANGED_KEY,
        });
        return { lookup: result, action: 'unsafe' };
      }
      return fail(
        'mismatch',
        `REMOTE HOST IDENTIFICATION HAS CHANGED for ${result.name}: the server sent ${key.type} ${fingerprint}, ` +
          `known_hosts has ${where(result.known)}`,
        result.known,
      );
    case 'unknown':
      break;
  }

  const file = policy.knownHostsFiles[0];
  if (file === undefined || !isRecordableHost(policy.host)) {
    return fail(
      'unknown',
      `no host key is known for ${result.name} and it cannot be recorded (${file === undefined ? 'no known_hosts file' : 'unsafe host name'}); ${key.type} key fingerprint is ${fingerprint}`,
      [],
    );
  }
  if (policy.strict === 'yes') {
    return fail(
      'unknown',
      `no ${key.type} host key is known for ${result.name} and you have requested strict checking; its fingerprint is ${fingerprint}`,
      [],
    );
  }
  if (policy.strict === 'ask') {
    const ok = await policy.ask({
      host: policy.host,
      port,
      name: result.name,
      keyType: key.type,
      fingerprint,
      file,
      otherNames: otherNames(files, result.name, key),
    });
    if (ok !== true) {
      return fail(
        'unknown',
        `the ${key.type} host key for ${result.name} (${fingerprint}) was not accepted`,
        [],
      );
    }
  }
  try {
    const line = formatKnownHostsLine(policy.host, port, key, policy.hashKnownHosts ?? false);
    await appendKnownHostsLine(file, line, policy.fs ?? nodeKnownHostsFs);
    policy.onEvent?.({ kind: 'added', file, name: result.name, keyType: key.type, fingerprint });
  } catch (e) {
    policy.onEvent?.({
      kind: 'add-failed',
      file,
      error: e instanceof Error ? e : new Error(String(e)),
    });
  }
  return { lookup: result, action: 'added' };
}

/** The transport's HostKeyVerifier for this policy: true, or a HostKeyError. */
export function hostKeyVerifier(policy: HostKeyPolicy): HostKeyVerifier {
  return async (key) => {
    await checkHostKey(policy, key);
    return true;
  };
}
