/**
 * The service's host-key verifier (CONVENTIONS §9; sshd(8) SSH_KNOWN_HOSTS; ssh_config(5)
 * StrictHostKeyChecking): the transport calls it after the key exchange and nothing about the
 * user is sent until it answers, so a connection waits on the person's answer here.
 *
 *   known key                  accepted
 *   unknown key (ask, default) prompt 'new': save → known_hosts line added; once → accepted;
 *                              reject or withdrawn → HostKeyError 'unknown'
 *   changed key (ask, default) prompt 'changed': only "once" with the new fingerprint typed
 *                              back (confirmFingerprint) accepts, and then, as OpenSSH does
 *                              after a changed key, password and keyboard-interactive
 *                              authentication are turned off (onUnsafe); anything else →
 *                              HostKeyError 'mismatch'
 *   revoked key                HostKeyError 'revoked', no prompt
 *   yes / accept-new           core/hosts' policy unchanged, no prompt
 *   no                         core/hosts' policy: unknown keys added, a changed key accepted
 *                              with a warning and password methods off (onUnsafe)
 *   BatchMode                  no prompt: ask is treated as yes
 * A prompt for a jump host names it (`hop`).
 */
import { fingerprintSha256 } from '../../crypto/fingerprint.js';
import { randomart, randomartKeyLabel } from '../../crypto/randomart.js';
import type { PublicKey } from '../../crypto/hostkey/types.js';
import { HostKeyError } from '../../errors.js';
import { appendKnownHostsLine, checkHostKey, formatKnownHostsLine } from '../../hosts/index.js';
import type { HostKeyVerifier } from '../../transport/transport.js';
import type { HostKeyInfo, JumpHop } from '../api/contract.js';
import type { PromptAnswer } from '../api/schemas.js';
import { PromptAnswerError } from '../errors.js';
import type { PromptRequest } from './prompts.js';

export interface HostKeyCheckOptions {
  readonly connectionId: string;
  readonly host: string;
  readonly port: number;
  readonly strict: 'yes' | 'ask' | 'accept-new' | 'no';
  /** BatchMode: never ask. */
  readonly batchMode?: boolean;
  /** The jump host this verifier is for (absent: the connection's host). */
  readonly hop?: JumpHop;
  /** User known_hosts files (new keys go to the first); global ones are only read. */
  readonly knownHostsFiles: readonly string[];
  readonly globalKnownHostsFiles: readonly string[];
  readonly ask: (
    request: PromptRequest,
    check: (a: PromptAnswer) => void,
  ) => Promise<PromptAnswer | null>;
  /** A changed key was accepted once: turn off password authentication. */
  readonly onUnsafe: () => void;
  readonly onWarning: (message: string) => void;
}

export function describeHostKey(
  host: string,
  port: number,
  key: Pick<PublicKey, 'type' | 'blob' | 'bits'>,
): HostKeyInfo {
  let knownHostsLine = '';
  try {
    knownHostsLine = formatKnownHostsLine(host, port, key);
  } catch {
    // a host name OpenSSH will not record: there is no line to show
  }
  return {
    keyType: key.type,
    bits: key.bits,
    fingerprint: fingerprintSha256(key.blob),
    randomart: randomart(key.blob, randomartKeyLabel(key.type), key.bits),
    knownHostsLine,
  };
}

export function serviceHostKeyVerifier(o: HostKeyCheckOptions): HostKeyVerifier {
  const base = {
    host: o.host,
    port: o.port,
    knownHostsFiles: o.knownHostsFiles,
    globalKnownHostsFiles: o.globalKnownHostsFiles,
  };
  return async (key) => {
    if (o.strict === 'no') {
      await checkHostKey(
        {
          ...base,
          strict: 'no',
          onEvent: (e) => {
            if (e.kind === 'changed-key-accepted') {
              o.onUnsafe();
              o.onWarning(
                `the ${e.keyType} host key for ${e.name} has changed (now ${e.fingerprint}); ` +
                  'accepted as StrictHostKeyChecking=no says, password authentication is off',
              );
            }
            if (e.kind === 'add-failed') o.onWarning(`${e.file}: ${e.error.message}`);
          },
        },
        key,
      );
      return true;
    }
    if (o.strict === 'yes' || o.strict === 'accept-new' || o.batchMode === true) {
      await checkHostKey({ ...base, strict: o.strict === 'ask' ? 'yes' : o.strict }, key);
      return true;
    }
    try {
      await checkHostKey({ ...base, strict: 'yes' }, key);
      return true;
    } catch (e) {
      if (!(e instanceof HostKeyError) || e.kind === 'revoked') throw e;
      const info = describeHostKey(o.host, o.port, key);
      if (e.kind === 'unknown') return askNew(o, e, info);
      return askChanged(o, e, info);
    }
  };
}

async function askNew(o: HostKeyCheckOptions, e: HostKeyError, key: HostKeyInfo): Promise<boolean> {
  const a = await o.ask(
    {
      kind: 'hostKey',
      connectionId: o.connectionId,
      ...(o.hop ? { hop: o.hop } : {}),
      status: 'new',
      name: e.host,
      key,
      known: [],
    },
    () => {},
  );
  if (a?.kind !== 'hostKey' || a.decision === 'reject') throw notAccepted(e, key);
  const file = o.knownHostsFiles[0];
  if (a.decision === 'save') {
    if (file === undefined || key.knownHostsLine === '') {
      o.onWarning(
        `the host key of ${e.host} cannot be recorded; accepted for this connection only`,
      );
    } else {
      try {
        await appendKnownHostsLine(file, key.knownHostsLine);
      } catch (err) {
        o.onWarning(
          `Failed to add the host to the list of known hosts (${file}): ${(err as Error).message}`,
        );
      }
    }
  }
  return true;
}

async function askChanged(
  o: HostKeyCheckOptions,
  e: HostKeyError,
  key: HostKeyInfo,
): Promise<boolean> {
  const a = await o.ask(
    {
      kind: 'hostKey',
      connectionId: o.connectionId,
      ...(o.hop ? { hop: o.hop } : {}),
      status: 'changed',
      name: e.host,
      key,
      known: e.known.map((k) => ({
        file: k.file,
        line: k.line,
        type: k.type,
        fingerprint: k.fingerprint,
      })),
    },
    (answer) => {
      if (answer.kind !== 'hostKey' || answer.decision === 'reject') return;
      if (answer.decision === 'save') {
        throw new PromptAnswerError(
          'a changed host key is not saved from here: remove the old line from known_hosts first',
        );
      }
      if (answer.confirmFingerprint !== key.fingerprint) {
        throw new PromptAnswerError(
          'a changed host key is accepted only with its new fingerprint typed back',
        );
      }
    },
  );
  if (a?.kind !== 'hostKey' || a.decision !== 'once') throw e;
  o.onUnsafe();
  return true;
}

function notAccepted(e: HostKeyError, key: HostKeyInfo): HostKeyError {
  return new HostKeyError(
    'unknown',
    `Host key verification failed: the ${key.keyType} host key for ${e.host} (${key.fingerprint}) was not accepted`,
    {
      host: e.host,
      presented: { type: key.keyType, fingerprint: key.fingerprint },
      known: [],
    },
  );
}
