/**
 * A connection's tunnels under it in the sidebar, from the service's tunnelState events: each
 * as ssh's flag writes it (marked when it came from the host's ~/.ssh/config or its saved
 * host), its state (waiting for the connection, listening on which port, failed and why), its
 * connections open and in all, the bytes each way, Remove, and for one added by hand on a
 * saved host's connection, Save to host (it then opens whenever the host connects).
 */
import type { ServiceApi, TunnelInfo } from '../../core/service/api/contract.js';
import { tunnelStatus } from './tunnel-spec.js';

interface Props {
  readonly api: ServiceApi;
  readonly label: string;
  readonly tunnels: readonly TunnelInfo[];
  /** The connection was made as a saved host, to which a tunnel can be saved. */
  readonly savedHost: boolean;
  readonly onError: (e: unknown) => void;
}

const DOT: Record<TunnelInfo['state'], string> = {
  waiting: 'connecting',
  starting: 'connecting',
  listening: 'up',
  failed: 'down',
  removed: 'down',
};

export function TunnelList({ api, label, tunnels, savedHost, onError }: Props) {
  if (tunnels.length === 0) return null;
  return (
    <ul className="tunnels" aria-label={`Tunnels of ${label}`}>
      {tunnels.map((t) => (
        <li key={t.tunnelId} className="tunnel">
          <div className="tunnel-head">
            <span className={`dot ${DOT[t.state]}`} aria-hidden="true" />
            <code>{t.description}</code>
            {t.origin !== undefined && (
              <small className="origin">{t.origin === 'sshConfig' ? 'ssh_config' : 'saved'}</small>
            )}
            {t.origin === undefined && savedHost && (
              <button
                type="button"
                className="small"
                aria-label={`Save tunnel ${t.description} to the host`}
                title="Open this tunnel whenever the host connects"
                onClick={() => api.saveTunnel({ tunnelId: t.tunnelId }).catch(onError)}
              >
                Save
              </button>
            )}
            <button
              type="button"
              className="small"
              aria-label={`Remove tunnel ${t.description}`}
              onClick={() => api.removeTunnel({ tunnelId: t.tunnelId }).catch(onError)}
            >
              Remove
            </button>
          </div>
          <small className="tunnel-status">{tunnelStatus(t)}</small>
          {t.lastError !== null && t.state !== 'listening' && (
            <p className="field-error">{t.lastError}</p>
          )}
        </li>
      ))}
    </ul>
  );
}
