/**
 * The tab strip: a tablist whose tabs are named by their connection (user@host; "Files
 * user@host" for an SFTP tab), each with a close button. Arrow keys move between tabs.
 */
export interface Tab {
  readonly id: string;
  readonly kind: 'terminal' | 'sftp';
  readonly connectionId: string;
  /** The service's terminal while its shell runs. */
  readonly terminalId: string | null;
  /** Why the shell ended or could not open; null while it runs or opens. */
  readonly ended: string | null;
}

interface Props {
  readonly tabs: readonly Tab[];
  readonly active: string | null;
  readonly labelOf: (t: Tab) => string;
  readonly onSelect: (id: string) => void;
  readonly onClose: (id: string) => void;
}

export function TabStrip({ tabs, active, labelOf, onSelect, onClose }: Props) {
  const move = (from: number, by: number) => {
    const t = tabs[(from + by + tabs.length) % tabs.length];
    if (t) onSelect(t.id);
  };
  return (
    <div className="tabstrip">
      <div role="tablist" aria-label="Sessions">
        {tabs.map((t, i) => (
          <span key={t.id} className={`tab${t.id === active ? ' active' : ''}`}>
            <button
              type="button"
              role="tab"
              id={`tab-${t.id}`}
              aria-selected={t.id === active}
              aria-controls={`panel-${t.id}`}
              tabIndex={t.id === active ? 0 : -1}
              onClick={() => onSelect(t.id)}
              onKeyDown={(ev) => {
                if (ev.key === 'ArrowRight') move(i, 1);
                if (ev.key === 'ArrowLeft') move(i, -1);
              }}
            >
              <span className={`dot ${t.ended !== null ? 'down' : 'up'}`} aria-hidden="true" />
              {t.kind === 'sftp' ? `Files ${labelOf(t)}` : labelOf(t)}
            </button>
            <button
              type="button"
              className="close"
              aria-label={`Close ${labelOf(t)}`}
              title="Close (Ctrl+Shift+W)"
              onClick={() => onClose(t.id)}
            >
              ×
            </button>
          </span>
        ))}
      </div>
    </div>
  );
}
