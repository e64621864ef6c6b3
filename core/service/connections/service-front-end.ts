/**
 * The service's side of building a connection (core/client/target-options.ts does the rest, as
 * for `keyway ssh`): jump hosts resolved through ~/.ssh/config (hosts.ts), and for every hop its
 * host-key verifier (host-key-check.ts) and its passphrase, password and keyboard-interactive
 * prompts as prompt events carrying the connection's id and, for a jump host, the hop. BatchMode
 * asks nothing: an unknown host key fails, secrets are not asked for. A changed key accepted
 * for one hop turns password methods off for that hop only. `~` is the service's home
 * directory, not necessarily the process's (tests and a portable install give their own).
 */
import type { ConnectTarget, ConnectFrontEnd, JumpPosition } from '../../client/target-options.js';
import type { JumpHostSpec } from '../../config/jump-spec.js';
import type { JumpHop } from '../api/contract.js';
import { serviceHostKeyVerifier } from './host-key-check.js';
import type { PromptBroker } from './prompts.js';

export interface ServiceFrontEndOptions {
  readonly connectionId: string;
  readonly home: string;
  /** Agent socket; undefined: $SSH_AUTH_SOCK; null: none. */
  readonly agentPath?: string | null;
  readonly globalKnownHostsFiles: readonly string[];
  readonly onWarning: (message: string) => void;
  readonly prompts: PromptBroker;
  readonly resolveHop: (spec: JumpHostSpec) => Promise<ConnectTarget>;
  /** False once the attempt is stale (disconnected, restarted): answers are then ignored. */
  readonly current: () => boolean;
  /** The connection's own host key was accepted (not a jump host's). */
  readonly onTargetKeyAccepted: () => void;
}

/** ConnectTimeout when ssh_config gives none: the UI should not wait on a dead host forever. */
export const SERVICE_CONNECT_TIMEOUT_S = 30;

export function serviceFrontEnd(o: ServiceFrontEndOptions): ConnectFrontEnd<ConnectTarget> {
  return {
    home: o.home,
    globalKnownHostsFiles: o.globalKnownHostsFiles,
    ...(o.agentPath !== undefined ? { agentPath: o.agentPath } : {}),
    defaultConnectTimeout: SERVICE_CONNECT_TIMEOUT_S,
    onWarning: o.onWarning,
    resolveHop: (spec) => o.resolveHop(spec),
    callbacks: (t, paths, jump) => {
      const batch = t.options.batchMode === true;
      const hop = jump ? hopOf(t, jump) : undefined;
      const about = { connectionId: o.connectionId, ...(hop ? { hop } : {}) };
      const ask = o.prompts.ask.bind(o.prompts);
      let unsafe = false;
      const verify = serviceHostKeyVerifier({
        ...about,
        host: t.host,
        port: t.port,
        strict: t.options.strictHostKeyChecking ?? 'ask',
        batchMode: batch,
        knownHostsFiles: paths.user,
        globalKnownHostsFiles: paths.global,
        ask,
        onUnsafe: () => (unsafe = true),
        onWarning: o.onWarning,
      });
      const secret = (a: Awaited<ReturnType<PromptBroker['ask']>>) =>
        o.current() && a?.kind === 'secret' ? a.value : null;
      return {
        verifyHostKey: async (key, alg) => {
          const ok = (await verify(key, alg)) && o.current();
          if (ok && !jump) o.onTargetKeyAccepted();
          return ok;
        },
        passphrase: async (p) =>
          batch
            ? null
            : secret(
                await ask({ kind: 'passphrase', ...about, keyPath: p.path, attempt: p.attempt }),
              ),
        password: async (p) =>
          batch
            ? null
            : secret(
                await ask({ kind: 'password', ...about, user: p.username, attempt: p.attempt }),
              ),
        pin: async (p) =>
          batch
            ? null
            : secret(
                await ask({
                  kind: 'pin',
                  ...about,
                  token: p.token,
                  pinStatus: p.status.finalTry ? 'finalTry' : p.status.countLow ? 'countLow' : 'ok',
                }),
              ),
        keyboardInteractive: async (req) => {
          if (batch) return null;
          const a = await ask({
            kind: 'keyboardInteractive',
            ...about,
            name: req.name,
            instruction: req.instruction,
            prompts: req.prompts.map((q) => ({ prompt: q.prompt, echo: q.echo })),
          });
          return o.current() && a?.kind === 'keyboardInteractive' ? a.answers : null;
        },
        passwordsAllowed: () => !unsafe,
      };
    },
  };
}

function hopOf(t: ConnectTarget, at: JumpPosition): JumpHop {
  return { ...at, alias: t.alias, host: t.host, port: t.port, user: t.user };
}
