/**
 * Lends a terminal tab's xterm (TerminalController) a container; the first time it has a size
 * the shell is opened with it. When the shell ends or the connection drops the tab says so and
 * offers Reconnect. Ctrl+Shift+F in the terminal opens its search box (TerminalSearch).
 */
import { useEffect, useRef, useState } from 'react';
import type { TerminalController } from './terminal-controller.js';
import { TerminalSearch } from './TerminalSearch.js';

interface Props {
  readonly controller: TerminalController | undefined;
  readonly active: boolean;
  readonly started: boolean;
  readonly ended: string | null;
  readonly onSize: (size: { cols: number; rows: number }) => void;
  readonly onReconnect: () => void;
}

export function TerminalPane({ controller, active, started, ended, onSize, onReconnect }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const asked = useRef(false);
  const [searching, setSearching] = useState(false);
  useEffect(() => {
    controller?.onFind(() => setSearching(true));
    return () => controller?.onFind(null);
  }, [controller]);
  // the latest props for the effect, which runs only when the tab is shown
  const latest = useRef({ started, onSize });
  latest.current = { started, onSize };
  useEffect(() => {
    if (!controller || !host.current || !active) return;
    const size = controller.attach(host.current);
    if (!latest.current.started && !asked.current) {
      asked.current = true;
      latest.current.onSize(size);
    }
    controller.focus();
  }, [controller, active]);
  return (
    <div className="terminal-tab">
      {ended !== null && (
        <div className="banner" role="status">
          <span>{ended}</span>
          <button type="button" onClick={onReconnect}>
            Reconnect
          </button>
        </div>
      )}
      {searching && controller && (
        <TerminalSearch controller={controller} onClose={() => setSearching(false)} />
      )}
      <div className="terminal-host" ref={host} />
    </div>
  );
}
