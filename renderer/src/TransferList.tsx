/**
 * The transfer queue of one connection (a list "Transfers"): direction, file, a progress bar,
 * bytes and rate, state; Cancel while queued or running, Resume after a failure or a cancel
 * (startTransfer with resume: the partial file is continued, not started again).
 */
import type { TransferInfo } from '../../core/service/api/contract.js';
import { formatSize } from './paths.js';

interface Props {
  readonly transfers: readonly TransferInfo[];
  readonly onCancel: (t: TransferInfo) => void;
  readonly onResume: (t: TransferInfo) => void;
}

function baseName(path: string): string {
  return (
    path
      .split(/[\\/]/)
      .filter((p) => p !== '')
      .pop() ?? path
  );
}

export function TransferList({ transfers, onCancel, onResume }: Props) {
  return (
    <section className="transfers" aria-label="Transfer queue">
      <h2>Transfers</h2>
      {transfers.length === 0 && <p className="hint">Nothing transferred yet.</p>}
      <ul aria-label="Transfers">
        {[...transfers].reverse().map((t) => {
          const name = baseName(t.direction === 'upload' ? t.localPath : t.remotePath);
          const pct = t.totalBytes
            ? Math.min(100, (100 * t.bytes) / t.totalBytes)
            : t.state === 'done'
              ? 100
              : 0;
          return (
            <li
              key={t.transferId}
              className={`transfer ${t.state}`}
              aria-label={`${t.direction} ${name} ${t.state}`}
            >
              <span className="dir">{t.direction === 'upload' ? '↑' : '↓'}</span>
              <span
                className="tname"
                title={`${t.localPath} ${t.direction === 'upload' ? '→' : '←'} ${t.remotePath}`}
              >
                {name}
              </span>
              <progress max={100} value={pct} aria-label={`${name} progress`} />
              <span className="tbytes">
                {formatSize(t.bytes)}
                {t.totalBytes !== null ? ` / ${formatSize(t.totalBytes)}` : ''}
                {t.state === 'running' ? ` · ${formatSize(t.bytesPerSecond)}/s` : ''}
              </span>
              <span className="tstate">{t.state}</span>
              {(t.state === 'queued' || t.state === 'running') && (
                <button type="button" className="small" onClick={() => onCancel(t)}>
                  Cancel
                </button>
              )}
              {(t.state === 'failed' || t.state === 'cancelled') && t.streamed !== true && (
                <button type="button" className="small" onClick={() => onResume(t)}>
                  Resume
                </button>
              )}
              {t.error && <span className="field-error">{t.error.message}</span>}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
