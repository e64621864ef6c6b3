/**
 * The small search box of a terminal tab (Ctrl+Shift+F): Enter finds the next match, Shift+Enter
 * the previous one, Escape closes it and gives the keyboard back to the terminal. The search
 * itself is the tab's TerminalController (xterm's search addon).
 */
import { useEffect, useRef, useState } from 'react';
import type { TerminalController } from './terminal-controller.js';

interface Props {
  readonly controller: TerminalController;
  readonly onClose: () => void;
}

export function TerminalSearch({ controller, onClose }: Props) {
  const [text, setText] = useState('');
  const [missing, setMissing] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const find = (backwards: boolean) => setMissing(!controller.find(text, backwards));
  const close = () => {
    controller.endFind();
    onClose();
  };
  return (
    <form
      className="terminal-search"
      role="search"
      aria-label="Search terminal"
      onSubmit={(ev) => ev.preventDefault()}
    >
      <input
        ref={input}
        aria-label="Find in terminal"
        placeholder="Find"
        value={text}
        spellCheck={false}
        onChange={(ev) => {
          setText(ev.target.value);
          setMissing(false);
        }}
        onKeyDown={(ev) => {
          if (ev.key === 'Enter') {
            ev.preventDefault();
            find(ev.shiftKey);
          } else if (ev.key === 'Escape') {
            ev.preventDefault();
            close();
          }
        }}
      />
      <button
        type="button"
        className="small"
        aria-label="Previous match"
        onClick={() => find(true)}
      >
        ↑
      </button>
      <button type="button" className="small" aria-label="Next match" onClick={() => find(false)}>
        ↓
      </button>
      <button type="button" className="small" aria-label="Close search" onClick={close}>
        ×
      </button>
      {missing && (
        <span className="no-match" role="status">
          No match
        </span>
      )}
    </form>
  );
}
