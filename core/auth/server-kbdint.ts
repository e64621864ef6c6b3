/**
 * keyboard-interactive, server side (RFC 4256 §3): runs the caller's callback as a
 * conversation. The callback awaits prompt(challenge); the server sees that as an 'ask' step,
 * sends INFO_REQUEST, and hands back the INFO_RESPONSE answers. When the callback settles
 * the server sees a 'done' step. A callback that throws fails the attempt.
 */
import { SshError } from '../errors.js';
import { AuthCancelled } from './errors.js';
import { MAX_KBD_PROMPTS, type KbdChallenge } from './server-messages.js';
import type { KbdConversation, ServerAuthOptions } from './server-options.js';

export type KbdStep =
  | { readonly kind: 'ask'; readonly challenge: KbdChallenge }
  | { readonly kind: 'done'; readonly ok: boolean; readonly detail?: string };

export class Conversation {
  /** Steps not yet taken by next(), and a next() waiting for one. */
  private readonly steps: KbdStep[] = [];
  private waiter: ((s: KbdStep) => void) | null = null;
  /** The callback's prompt() awaiting answers. */
  private answer: { resolve: (a: string[]) => void; reject: (e: Error) => void } | null = null;
  private ended = false;

  constructor(
    user: string,
    submethods: string,
    run: NonNullable<ServerAuthOptions['keyboardInteractive']>,
  ) {
    const conversation: KbdConversation = {
      submethods,
      prompt: (challenge) => this.ask(challenge),
    };
    Promise.resolve()
      .then(() => run(user, conversation))
      .then(
        (ok) => this.emit({ kind: 'done', ok: ok === true }),
        (e: unknown) =>
          this.emit({
            kind: 'done',
            ok: false,
            detail: `keyboard-interactive callback failed: ${e instanceof Error ? e.message : String(e)}`,
          }),
      );
  }

  /** The callback's next step. */
  next(): Promise<KbdStep> {
    const s = this.steps.shift();
    if (s) return Promise.resolve(s);
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /** The client's answers to the last 'ask'. */
  respond(answers: string[]): void {
    const a = this.answer;
    this.answer = null;
    a?.resolve(answers);
  }

  /** The client abandoned the exchange or the connection ended: prompt() rejects. */
  abort(why: Error = new AuthCancelled('keyboard-interactive abandoned by the client')): void {
    this.ended = true;
    const a = this.answer;
    this.answer = null;
    a?.reject(why);
  }

  private ask(challenge: KbdChallenge): Promise<string[]> {
    if (this.ended) return Promise.reject(new AuthCancelled('keyboard-interactive has ended'));
    if (this.answer) return Promise.reject(new SshError('a prompt is already waiting for answers'));
    if (challenge.prompts.length > MAX_KBD_PROMPTS) {
      return Promise.reject(new SshError(`more than ${MAX_KBD_PROMPTS} prompts`));
    }
    const copy: KbdChallenge = {
      ...(challenge.name !== undefined ? { name: challenge.name } : {}),
      ...(challenge.instruction !== undefined ? { instruction: challenge.instruction } : {}),
      prompts: challenge.prompts.map((p) => ({ prompt: p.prompt, echo: p.echo })),
    };
    return new Promise((resolve, reject) => {
      this.answer = { resolve, reject };
      this.emit({ kind: 'ask', challenge: copy });
    });
  }

  private emit(s: KbdStep): void {
    if (this.ended) return;
    if (s.kind === 'done') this.ended = true;
    const w = this.waiter;
    this.waiter = null;
    if (w) w(s);
    else this.steps.push(s);
  }
}
