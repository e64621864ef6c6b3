/**
 * The service's prompts as modal dialogs, answered with answerPrompt (api/contract.ts Prompt):
 * a new host key (fingerprint, randomart, key type; Accept and save / Accept once / Cancel); a
 * changed host key (a blocking warning with the old and new fingerprints: accepting it once
 * needs the new fingerprint typed back, as the service requires); password, passphrase,
 * smartcard PIN and keyboard-interactive forms.
 */
import { useState } from 'react';
import type { Prompt, PromptAnswer, ServiceApi } from '../../core/service/api/contract.js';
import { Modal } from './Modal.js';

interface Props {
  readonly prompt: Prompt;
  readonly api: ServiceApi;
  readonly label: string;
  readonly onError: (e: unknown) => void;
}

export function PromptDialog({ prompt, api, label, onError }: Props) {
  const answer = (a: PromptAnswer) =>
    api.answerPrompt({ promptId: prompt.promptId, answer: a }).catch(onError);
  switch (prompt.kind) {
    case 'hostKey':
      return prompt.status === 'new' ? (
        <NewHostKey prompt={prompt} answer={answer} />
      ) : (
        <ChangedHostKey prompt={prompt} answer={answer} />
      );
    case 'password':
    case 'passphrase':
    case 'pin':
      return <SecretPrompt prompt={prompt} label={label} answer={answer} />;
    case 'keyboardInteractive':
      return <KeyboardInteractive prompt={prompt} answer={answer} />;
  }
}

type Answer = (a: PromptAnswer) => void;
type HostKeyPrompt = Extract<Prompt, { kind: 'hostKey' }>;

function KeyFacts({ prompt }: { prompt: HostKeyPrompt }) {
  return (
    <>
      <dl className="facts">
        <dt>Host</dt>
        <dd>{prompt.name}</dd>
        <dt>Key type</dt>
        <dd>
          {prompt.key.keyType} ({prompt.key.bits} bits)
        </dd>
        <dt>Fingerprint</dt>
        <dd>
          <code>{prompt.key.fingerprint}</code>
        </dd>
      </dl>
      <pre className="randomart" aria-label="Randomart">
        {prompt.key.randomart}
      </pre>
    </>
  );
}

function NewHostKey({ prompt, answer }: { prompt: HostKeyPrompt; answer: Answer }) {
  return (
    <Modal
      title="Unknown host key"
      onCancel={() => answer({ kind: 'hostKey', decision: 'reject' })}
    >
      <p>
        Keyway has not seen <strong>{prompt.name}</strong> before. Check the fingerprint with the
        host's administrator before you trust it.
      </p>
      <KeyFacts prompt={prompt} />
      <div className="buttons">
        <button
          type="button"
          className="primary"
          onClick={() => answer({ kind: 'hostKey', decision: 'save' })}
        >
          Accept and save
        </button>
        <button type="button" onClick={() => answer({ kind: 'hostKey', decision: 'once' })}>
          Accept once
        </button>
        <button type="button" onClick={() => answer({ kind: 'hostKey', decision: 'reject' })}>
          Cancel
        </button>
      </div>
    </Modal>
  );
}

function ChangedHostKey({ prompt, answer }: { prompt: HostKeyPrompt; answer: Answer }) {
  const [typed, setTyped] = useState('');
  return (
    <Modal
      title="Warning: the host key has changed"
      className="warning"
      onCancel={() => answer({ kind: 'hostKey', decision: 'reject' })}
    >
      <p role="alert">
        The key that <strong>{prompt.name}</strong> presented is not the one recorded for it.
        Someone could be intercepting this connection (a man-in-the-middle attack), or the host key
        was replaced. Do not continue unless you know why it changed.
      </p>
      <h3>Recorded</h3>
      <ul className="known">
        {prompt.known.map((k) => (
          <li key={`${k.file}:${k.line}`}>
            {k.type} <code>{k.fingerprint}</code> ({k.file}:{k.line})
          </li>
        ))}
      </ul>
      <h3>Presented now</h3>
      <KeyFacts prompt={prompt} />
      <form
        onSubmit={(ev) => {
          ev.preventDefault();
          if (typed.trim() === prompt.key.fingerprint)
            answer({ kind: 'hostKey', decision: 'once', confirmFingerprint: typed.trim() });
        }}
      >
        <label className="field">
          <span>To connect anyway this once, type the new fingerprint</span>
          <input value={typed} onChange={(ev) => setTyped(ev.target.value)} spellCheck={false} />
        </label>
        <div className="buttons">
          <button
            type="button"
            className="primary"
            onClick={() => answer({ kind: 'hostKey', decision: 'reject' })}
          >
            Cancel
          </button>
          <button
            type="submit"
            className="danger"
            disabled={typed.trim() !== prompt.key.fingerprint}
          >
            Connect once anyway
          </button>
        </div>
      </form>
    </Modal>
  );
}

type SecretKind = Extract<Prompt, { kind: 'password' | 'passphrase' | 'pin' }>;

/** Title, explanation and field name of a secret prompt. */
function secretText(prompt: SecretKind, label: string): [string, string, string] {
  const again =
    'attempt' in prompt && prompt.attempt > 1 ? ' That was not accepted; try again.' : '';
  switch (prompt.kind) {
    case 'password':
      return [
        `Password for ${prompt.user}`,
        `${label || prompt.user} asks for a password.${again}`,
        'Password',
      ];
    case 'passphrase':
      return ['Key passphrase', `The key ${prompt.keyPath} is encrypted.${again}`, 'Passphrase'];
    case 'pin':
      return [
        'Smartcard PIN',
        `Enter the PIN of the token '${prompt.token}'.` +
          (prompt.pinStatus === 'finalTry'
            ? ' This is the final try: a wrong PIN locks the token.'
            : prompt.pinStatus === 'countLow'
              ? ' A wrong PIN was entered before.'
              : ''),
        'PIN',
      ];
  }
}

function SecretPrompt({
  prompt,
  label,
  answer,
}: {
  prompt: SecretKind;
  label: string;
  answer: Answer;
}) {
  const [value, setValue] = useState('');
  const [title, text, field] = secretText(prompt, label);
  const warn = prompt.kind === 'pin' && prompt.pinStatus === 'finalTry';
  return (
    <Modal title={title} onCancel={() => answer({ kind: 'secret', value: null })}>
      <form
        onSubmit={(ev) => {
          ev.preventDefault();
          answer({ kind: 'secret', value });
        }}
      >
        <p {...(warn ? { role: 'alert' } : {})}>{text}</p>
        <label className="field">
          <span>{field}</span>
          <input
            type="password"
            value={value}
            autoComplete="off"
            onChange={(ev) => setValue(ev.target.value)}
          />
        </label>
        <div className="buttons">
          <button type="submit" className="primary">
            OK
          </button>
          <button type="button" onClick={() => answer({ kind: 'secret', value: null })}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}

function KeyboardInteractive({
  prompt,
  answer,
}: {
  prompt: Extract<Prompt, { kind: 'keyboardInteractive' }>;
  answer: Answer;
}) {
  const [values, setValues] = useState(() => prompt.prompts.map(() => ''));
  const cancel = () => answer({ kind: 'keyboardInteractive', answers: null });
  return (
    <Modal title={prompt.name || 'Authentication'} onCancel={cancel}>
      <form
        onSubmit={(ev) => {
          ev.preventDefault();
          answer({ kind: 'keyboardInteractive', answers: values });
        }}
      >
        {prompt.instruction && <p className="instruction">{prompt.instruction}</p>}
        {prompt.prompts.map((q, i) => (
          <label className="field" key={i}>
            <span>{q.prompt}</span>
            <input
              type={q.echo ? 'text' : 'password'}
              value={values[i] ?? ''}
              autoComplete="off"
              onChange={(ev) => setValues((v) => v.map((x, j) => (j === i ? ev.target.value : x)))}
            />
          </label>
        ))}
        <div className="buttons">
          <button type="submit" className="primary">
            OK
          </button>
          <button type="button" onClick={cancel}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}
