/**
 * Prompts that need a person (DESIGN.md runtime picture): each is a `prompt` event with a
 * fresh id, and waits until answerPrompt(id, answer) or until it is withdrawn (its connection
 * is disconnected, or the service closes), which resolves it with null ("cancelled"). An
 * answer of the wrong kind, or one its prompt's check refuses, is a PromptAnswerError to the
 * caller and the prompt stays open. Each prompt is answered at most once.
 */
import { randomUUID } from 'node:crypto';
import type { Prompt } from '../api/contract.js';
import type { PromptAnswer } from '../api/schemas.js';
import { NotFoundError, PromptAnswerError } from '../errors.js';
import type { EventSink } from '../events.js';

/** A prompt's body, without the id the broker assigns. */
export type PromptRequest = Prompt extends infer P
  ? P extends Prompt
    ? Omit<P, 'promptId'>
    : never
  : never;

/** What answers a prompt kind may take. */
const ANSWER_KIND: Record<Prompt['kind'], PromptAnswer['kind']> = {
  hostKey: 'hostKey',
  password: 'secret',
  passphrase: 'secret',
  pin: 'secret',
  keyboardInteractive: 'keyboardInteractive',
};

interface Pending {
  readonly prompt: Prompt;
  readonly check: (a: PromptAnswer) => void;
  readonly resolve: (a: PromptAnswer | null) => void;
}

export class PromptBroker {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly emit: EventSink) {}

  /**
   * Emits the prompt and waits for its answer (null: withdrawn). `check` may throw
   * PromptAnswerError to refuse an answer that fits the kind but not this prompt.
   */
  ask(
    request: PromptRequest,
    check: (a: PromptAnswer) => void = () => {},
  ): Promise<PromptAnswer | null> {
    const promptId = randomUUID();
    const prompt = { ...request, promptId } as Prompt;
    return new Promise((resolve) => {
      this.pending.set(promptId, { prompt, check, resolve });
      this.emit('prompt', prompt);
    });
  }

  answer(promptId: string, answer: PromptAnswer): void {
    const p = this.pending.get(promptId);
    if (!p) throw new NotFoundError('prompt', promptId);
    const want = ANSWER_KIND[p.prompt.kind];
    if (answer.kind !== want) {
      throw new PromptAnswerError(
        `a ${p.prompt.kind} prompt takes a ${want} answer, not ${answer.kind}`,
        {
          promptKind: p.prompt.kind,
          answerKind: answer.kind,
        },
      );
    }
    if (p.prompt.kind === 'keyboardInteractive' && answer.kind === 'keyboardInteractive') {
      const n = p.prompt.prompts.length;
      if (answer.answers !== null && answer.answers.length !== n) {
        throw new PromptAnswerError(
          `this prompt has ${n} questions, ${answer.answers.length} answers were given`,
        );
      }
    }
    p.check(answer);
    this.settle(promptId, answer);
  }

  /** Withdraws the open prompts of one connection (or all): each resolves with null. */
  withdraw(connectionId?: string): void {
    for (const [id, p] of [...this.pending]) {
      if (connectionId === undefined || p.prompt.connectionId === connectionId)
        this.settle(id, null);
    }
  }

  /** The prompts still waiting (a UI that reloads shows them again). */
  open(): Prompt[] {
    return [...this.pending.values()].map((p) => p.prompt);
  }

  private settle(promptId: string, answer: PromptAnswer | null): void {
    const p = this.pending.get(promptId);
    if (!p) return;
    this.pending.delete(promptId);
    this.emit('promptClosed', { promptId });
    p.resolve(answer);
  }
}
