/**
 * A modal dialog (role dialog, aria-modal, labelled by its title) over the window, and a
 * one-field form dialog built on it for New folder / Rename / Permissions. Escape cancels.
 * The form dialogs share a labelled text field and a footer (the error, submit and Cancel).
 */
import { useEffect, useRef, useState, type InputHTMLAttributes, type ReactNode } from 'react';

interface ModalProps {
  readonly title: string;
  readonly onCancel?: () => void;
  readonly className?: string;
  readonly children: ReactNode;
}

let nextTitleId = 1;

export function Modal({ title, onCancel, className, children }: ModalProps) {
  const [titleId] = useState(() => `dialog-title-${nextTitleId++}`);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const first = box.current?.querySelector<HTMLElement>('input, button');
    first?.focus();
  }, []);
  return (
    <div className="modal-backdrop">
      <div
        ref={box}
        className={`modal ${className ?? ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        onKeyDown={(ev) => {
          if (ev.key === 'Escape' && onCancel) {
            ev.stopPropagation();
            onCancel();
          }
        }}
      >
        <h2 id={titleId}>{title}</h2>
        {children}
      </div>
    </div>
  );
}

interface InputDialogProps {
  readonly title: string;
  readonly label: string;
  readonly initial: string;
  readonly submitLabel: string;
  /** A message for a bad value, or null to accept it. */
  readonly validate?: (value: string) => string | null;
  readonly onSubmit: (value: string) => void;
  readonly onCancel: () => void;
}

export function InputDialog(p: InputDialogProps) {
  const [value, setValue] = useState(p.initial);
  const problem = p.validate?.(value) ?? null;
  return (
    <Modal title={p.title} onCancel={p.onCancel}>
      <form
        onSubmit={(ev) => {
          ev.preventDefault();
          if (problem === null) p.onSubmit(value);
        }}
      >
        <label className="field">
          <span>{p.label}</span>
          <input value={value} onChange={(ev) => setValue(ev.target.value)} autoFocus />
        </label>
        {problem !== null && value !== '' && <p className="field-error">{problem}</p>}
        <div className="buttons">
          <button type="submit" className="primary" disabled={problem !== null}>
            {p.submitLabel}
          </button>
          <button type="button" onClick={p.onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}

interface ConfirmProps {
  readonly title: string;
  readonly text: string;
  readonly confirmLabel: string;
  readonly onConfirm: () => void;
  readonly onCancel: () => void;
}

export function ConfirmDialog(p: ConfirmProps) {
  return (
    <Modal title={p.title} onCancel={p.onCancel}>
      <p>{p.text}</p>
      <div className="buttons">
        <button type="button" className="danger" onClick={p.onConfirm}>
          {p.confirmLabel}
        </button>
        <button type="button" onClick={p.onCancel}>
          Cancel
        </button>
      </div>
    </Modal>
  );
}

/** A labelled text input whose onChange gives the new value. */
export function TextField({
  label,
  onChange,
  ...input
}: { label: string; onChange: (v: string) => void } & Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'onChange'
>) {
  return (
    <label className="field">
      <span>{label}</span>
      <input {...input} onChange={(ev) => onChange(ev.target.value)} />
    </label>
  );
}

/** A form dialog's end: its error (an alert) if any, the submit button and Cancel. */
export function FormFooter(p: {
  readonly error: string | null;
  readonly submit: string;
  readonly disabled: boolean;
  readonly onCancel: () => void;
}) {
  return (
    <>
      {p.error !== null && (
        <p className="field-error" role="alert">
          {p.error}
        </p>
      )}
      <div className="buttons">
        <button type="submit" className="primary" disabled={p.disabled}>
          {p.submit}
        </button>
        <button type="button" onClick={p.onCancel}>
          Cancel
        </button>
      </div>
    </>
  );
}
