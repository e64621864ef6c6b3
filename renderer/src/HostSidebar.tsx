/**
 * The sidebar: Quick connect ([user@]host[:port]), a search over saved profiles and the Host
 * entries of ~/.ssh/config, add / edit / delete of profiles (ProfileDialog), the open
 * connections with their state (Disconnect, Reconnect, another terminal, Files) and their
 * tunnels (TunnelList; Add tunnel opens TunnelDialog), and the theme.
 */
import { useState } from 'react';
import type {
  ConnectionInfo,
  HostList,
  Profile,
  ServiceApi,
  Target,
  TunnelInfo,
} from '../../core/service/api/contract.js';
import { ConfirmDialog } from './Modal.js';
import { ProfileDialog } from './ProfileDialog.js';
import { TunnelDialog } from './TunnelDialog.js';
import { TunnelList } from './TunnelList.js';

interface Props {
  readonly api: ServiceApi;
  readonly hosts: HostList | null;
  readonly connections: readonly ConnectionInfo[];
  readonly tunnels: readonly TunnelInfo[];
  readonly onConnect: (target: Target) => void;
  readonly onOpenFiles: (conn: ConnectionInfo) => void;
  readonly onNewTerminal: (conn: ConnectionInfo) => void;
  readonly onError: (e: unknown) => void;
  readonly dark: boolean;
  readonly onToggleTheme: () => void;
}

const STATE_WORDS: Record<ConnectionInfo['state'], string> = {
  connecting: 'connecting…',
  authenticating: 'authenticating…',
  connected: 'connected',
  disconnected: 'disconnected',
  failed: 'failed',
};

export function HostSidebar(p: Props) {
  const [quick, setQuick] = useState('');
  const [search, setSearch] = useState('');
  const [editing, setEditing] = useState<Profile | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Profile | null>(null);
  const [tunnelFor, setTunnelFor] = useState<ConnectionInfo | null>(null);
  const needle = search.trim().toLowerCase();
  const matches = (...fields: (string | undefined)[]) =>
    needle === '' || fields.some((f) => f?.toLowerCase().includes(needle));
  const profiles = (p.hosts?.profiles ?? []).filter((h) =>
    matches(h.name, h.host, h.user, h.group),
  );
  const aliases = (p.hosts?.sshConfig ?? []).filter((h) => matches(h.alias, h.hostName, h.user));

  return (
    <aside className="sidebar">
      <header className="brand">
        <span>Keyway</span>
        <button
          type="button"
          className="small"
          onClick={p.onToggleTheme}
          aria-label={p.dark ? 'Light theme' : 'Dark theme'}
        >
          {p.dark ? 'Light' : 'Dark'}
        </button>
      </header>
      <form
        className="quick"
        onSubmit={(ev) => {
          ev.preventDefault();
          const text = quick.trim();
          if (text !== '') p.onConnect({ kind: 'quick', text });
        }}
      >
        <input
          aria-label="Quick connect"
          placeholder="user@host:port"
          value={quick}
          onChange={(ev) => setQuick(ev.target.value)}
          spellCheck={false}
        />
        <button type="submit" className="primary">
          Connect
        </button>
      </form>
      <input
        type="search"
        aria-label="Search hosts"
        placeholder="Search hosts"
        value={search}
        onChange={(ev) => setSearch(ev.target.value)}
      />
      <section aria-label="Saved hosts" className="host-group">
        <h2>
          Saved hosts
          <button type="button" className="small" onClick={() => setEditing('new')}>
            Add host
          </button>
        </h2>
        {profiles.length === 0 && <p className="hint">No saved hosts{needle ? ' match' : ''}.</p>}
        <ul>
          {profiles.map((h) => (
            <li key={h.id} className="host">
              <button
                type="button"
                className="host-name"
                aria-label={`Connect to ${h.name}`}
                onClick={() => p.onConnect({ kind: 'profile', id: h.id })}
              >
                {h.colour && (
                  <span className="swatch" style={{ background: h.colour }} aria-hidden="true" />
                )}
                <span>{h.name}</span>
                <small>
                  {h.user ? `${h.user}@` : ''}
                  {h.host}
                  {h.port && h.port !== 22 ? `:${h.port}` : ''}
                  {h.proxyJump && h.proxyJump.toLowerCase() !== 'none' ? ` via ${h.proxyJump}` : ''}
                </small>
              </button>
              <button
                type="button"
                className="small"
                aria-label={`Edit ${h.name}`}
                onClick={() => setEditing(h)}
              >
                Edit
              </button>
              <button
                type="button"
                className="small"
                aria-label={`Delete ${h.name}`}
                onClick={() => setDeleting(h)}
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section aria-label="SSH config hosts" className="host-group">
        <h2>~/.ssh/config</h2>
        {aliases.length === 0 && <p className="hint">No Host entries{needle ? ' match' : ''}.</p>}
        <ul>
          {aliases.map((h) => (
            <li key={h.alias} className="host">
              <button
                type="button"
                className="host-name"
                onClick={() => p.onConnect({ kind: 'sshConfig', alias: h.alias })}
              >
                <span>{h.alias}</span>
                <small>
                  {h.user}@{h.hostName}
                  {h.port !== 22 ? `:${h.port}` : ''}
                </small>
              </button>
            </li>
          ))}
        </ul>
      </section>
      {(p.hosts?.problems.length ?? 0) > 0 && (
        <ul className="problems" aria-label="Problems">
          {p.hosts?.problems.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
      <section aria-label="Connections" className="host-group">
        <h2>Connections</h2>
        {p.connections.length === 0 && <p className="hint">None open.</p>}
        <ul>
          {p.connections.map((c) => (
            <li key={c.connectionId} className="connection">
              <div>
                <span className={`dot ${c.state}`} aria-hidden="true" />
                <strong>{c.label}</strong> <small>{STATE_WORDS[c.state]}</small>
              </div>
              {c.error && <p className="field-error">{c.error.message}</p>}
              <div className="row">
                {c.state === 'connected' ? (
                  <>
                    <button type="button" className="small" onClick={() => p.onNewTerminal(c)}>
                      Terminal
                    </button>
                    <button type="button" className="small" onClick={() => p.onOpenFiles(c)}>
                      Files
                    </button>
                    <button
                      type="button"
                      className="small"
                      onClick={() =>
                        p.api.disconnect({ connectionId: c.connectionId }).catch(p.onError)
                      }
                    >
                      Disconnect
                    </button>
                  </>
                ) : c.state === 'failed' || c.state === 'disconnected' ? (
                  <button
                    type="button"
                    className="small"
                    onClick={() =>
                      p.api.reconnect({ connectionId: c.connectionId }).catch(p.onError)
                    }
                  >
                    Reconnect
                  </button>
                ) : null}
                <button
                  type="button"
                  className="small"
                  aria-label={`Add tunnel to ${c.label}`}
                  onClick={() => setTunnelFor(c)}
                >
                  Tunnel…
                </button>
              </div>
              <TunnelList
                api={p.api}
                label={c.label}
                tunnels={p.tunnels.filter((t) => t.connectionId === c.connectionId)}
                savedHost={c.profileId !== undefined}
                onError={p.onError}
              />
            </li>
          ))}
        </ul>
      </section>
      {editing !== null && (
        <ProfileDialog
          profile={editing === 'new' ? null : editing}
          onCancel={() => setEditing(null)}
          onSave={(profile) => p.api.saveProfile({ profile }).then(() => setEditing(null))}
        />
      )}
      {tunnelFor !== null && (
        <TunnelDialog
          label={tunnelFor.label}
          onCancel={() => setTunnelFor(null)}
          onAdd={(spec) =>
            p.api
              .addTunnel({ connectionId: tunnelFor.connectionId, spec })
              .then(() => setTunnelFor(null))
          }
        />
      )}
      {deleting !== null && (
        <ConfirmDialog
          title="Delete host"
          text={`Delete the saved host "${deleting.name}"? Its known_hosts entries stay.`}
          confirmLabel="Delete"
          onCancel={() => setDeleting(null)}
          onConfirm={() => {
            setDeleting(null);
            p.api.deleteProfile({ id: deleting.id }).catch(p.onError);
          }}
        />
      )}
    </aside>
  );
}
