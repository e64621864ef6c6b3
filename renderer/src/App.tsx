/**
 * The Keyway window: the host sidebar, the tab strip (terminal and SFTP tabs, named by their
 * connection's user@host), the prompt dialogs, and a plain error area. Connection, prompt,
 * terminal and transfer state come from the service's events (api/contract.ts); xterm
 * instances live in TerminalControllers outside React state (CONVENTIONS §14).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type {
  ConnectionInfo,
  HostList,
  Prompt,
  Target,
  TransferInfo,
  TunnelInfo,
} from '../../core/service/api/contract.js';
import { describeError } from './describe-error.js';
import { HostSidebar } from './HostSidebar.js';
import { PromptDialog } from './PromptDialog.js';
import { SftpPane } from './SftpPane.js';
import { TabStrip, type Tab } from './TabStrip.js';
import { TerminalController } from './terminal-controller.js';
import { TerminalPane } from './TerminalPane.js';
import type { MenuCommand } from '../../core/service/api/bridge.js';
import type { ServiceConnection } from './transport.js';
import { useTheme } from './theme.js';
import { isCloseTabShortcut, isNewTabShortcut } from './shortcuts.js';

interface ShownError {
  readonly id: number;
  readonly text: string;
}

let nextTabId = 1;
let nextErrorId = 1;

export function App({ service }: { service: ServiceConnection }) {
  const { api } = service;
  const [hosts, setHosts] = useState<HostList | null>(null);
  const [connections, setConnections] = useState<Record<string, ConnectionInfo>>({});
  const [tabs, setTabs] = useState<Tab[]>([]);
  const [activeTab, setActiveTab] = useState<string | null>(null);
  const [prompts, setPrompts] = useState<Prompt[]>([]);
  const [transfers, setTransfers] = useState<Record<string, TransferInfo>>({});
  const [tunnels, setTunnels] = useState<Record<string, TunnelInfo>>({});
  const [errors, setErrors] = useState<ShownError[]>([]);
  const [serviceGone, setServiceGone] = useState<string | null>(null);
  const [dark, toggleTheme] = useTheme();

  const connsRef = useRef(connections);
  connsRef.current = connections;
  const tabsRef = useRef(tabs);
  tabsRef.current = tabs;
  /** xterm instances by tab id, and by the service's terminal id for output routing. */
  const controllers = useRef(new Map<string, TerminalController>());
  const byTerminal = useRef(new Map<string, TerminalController>());
  /** What to do once a connection reaches 'connected' (open a tab, reopen a shell). */
  const whenConnected = useRef(new Map<string, (() => void)[]>());

  const showError = useCallback((e: unknown) => {
    const text = describeError(e);
    setErrors((l) => [...l.slice(-4), { id: nextErrorId++, text }]);
  }, []);

  const refreshHosts = useCallback(() => {
    api.listHosts({}).then(setHosts, showError);
  }, [api, showError]);

  const updateTab = useCallback((id: string, patch: Partial<Tab>) => {
    setTabs((l) => l.map((t) => (t.id === id ? { ...t, ...patch } : t)));
  }, []);

  const afterConnect = useCallback((conn: ConnectionInfo, action: () => void) => {
    if (conn.state === 'connected') return action();
    const l = whenConnected.current.get(conn.connectionId) ?? [];
    l.push(action);
    whenConnected.current.set(conn.connectionId, l);
  }, []);

  useEffect(() => {
    const offs = [
      service.on('connectionState', (c) => {
        setConnections((m) => ({ ...m, [c.connectionId]: c }));
        if (c.state === 'connected') {
          const actions = whenConnected.current.get(c.connectionId) ?? [];
          whenConnected.current.delete(c.connectionId);
          for (const a of actions) a();
        } else if (c.state === 'failed' || c.state === 'disconnected') {
          whenConnected.current.delete(c.connectionId);
          if (c.error) showError(new Error(`${c.label}: ${c.error.message}`));
        }
      }),
      service.on('prompt', (p) => setPrompts((l) => [...l, p])),
      service.on('promptClosed', ({ promptId }) =>
        setPrompts((l) => l.filter((p) => p.promptId !== promptId)),
      ),
      service.on('terminalData', ({ terminalId, data }) =>
        byTerminal.current.get(terminalId)?.write(data),
      ),
      service.on('terminalExit', (x) => {
        const ctl = byTerminal.current.get(x.terminalId);
        byTerminal.current.delete(x.terminalId);
        ctl?.unbind();
        const why = x.error
          ? `Connection lost: ${x.error.message}`
          : x.signal
            ? `The shell ended (signal ${x.signal}).`
            : `The shell ended (exit status ${x.exitCode ?? 'unknown'}).`;
        ctl?.notice(why);
        const tab = tabsRef.current.find((t) => t.terminalId === x.terminalId);
        if (tab) updateTab(tab.id, { terminalId: null, ended: why });
      }),
      service.on('transfer', (t) => setTransfers((m) => ({ ...m, [t.transferId]: t }))),
      service.on('tunnelState', (t) =>
        setTunnels((m) => {
          const next = { ...m, [t.tunnelId]: t };
          if (t.state === 'removed') delete next[t.tunnelId];
          return next;
        }),
      ),
      service.on('hostsChanged', () => refreshHosts()),
    ];
    service.onClosed((reason) => setServiceGone(reason));
    refreshHosts();
    api
      .listConnections({})
      .then(
        (l) => setConnections(Object.fromEntries(l.map((c) => [c.connectionId, c]))),
        showError,
      );
    api
      .listTransfers({})
      .then((l) => setTransfers(Object.fromEntries(l.map((t) => [t.transferId, t]))), showError);
    api
      .listTunnels({})
      .then((l) => setTunnels(Object.fromEntries(l.map((t) => [t.tunnelId, t]))), showError);
    return () => offs.forEach((off) => off());
  }, [service, api, refreshHosts, showError, updateTab]);

  /** Opens the service's shell for a terminal tab whose xterm has its size. */
  const startShell = useCallback(
    (tabId: string, size: { cols: number; rows: number }) => {
      const tab = tabsRef.current.find((t) => t.id === tabId);
      const ctl = controllers.current.get(tabId);
      if (!tab || !ctl) return;
      api.openTerminal({ connectionId: tab.connectionId, ...size }).then(
        (info) => {
          byTerminal.current.set(info.terminalId, ctl);
          ctl.bind(info.terminalId);
          updateTab(tabId, { terminalId: info.terminalId, ended: null });
          ctl.focus();
        },
        (e: unknown) => {
          ctl.notice(`Could not open a shell: ${describeError(e)}`);
          updateTab(tabId, { ended: describeError(e) });
        },
      );
    },
    [api, updateTab],
  );

  const addTab = useCallback(
    (conn: ConnectionInfo, kind: Tab['kind']) => {
      const id = `tab-${nextTabId++}`;
      if (kind === 'terminal') {
        controllers.current.set(
          id,
          new TerminalController({
            api,
            onError: showError,
            isAppShortcut: (ev) => isNewTabShortcut(ev) || isCloseTabShortcut(ev),
            dark: document.documentElement.dataset['theme'] === 'dark',
          }),
        );
      }
      const tab: Tab = { id, kind, connectionId: conn.connectionId, terminalId: null, ended: null };
      setTabs((l) => [...l, tab]);
      setActiveTab(id);
    },
    [api, showError],
  );

  const connect = useCallback(
    async (target: Target, kind: Tab['kind'] = 'terminal') => {
      try {
        const conn = await api.connect({ target });
        setConnections((m) => ({ ...m, [conn.connectionId]: m[conn.connectionId] ?? conn }));
        afterConnect(conn, () => addTab(conn, kind));
      } catch (e) {
        showError(e);
      }
    },
    [api, addTab, afterConnect, showError],
  );

  const closeTab = useCallback(
    (id: string) => {
      const tab = tabsRef.current.find((t) => t.id === id);
      if (!tab) return;
      const ctl = controllers.current.get(id);
      if (tab.terminalId !== null) {
        byTerminal.current.delete(tab.terminalId);
        api.closeTerminal({ terminalId: tab.terminalId }).catch(() => {});
      }
      ctl?.dispose();
      controllers.current.delete(id);
      const rest = tabsRef.current.filter((t) => t.id !== id);
      setTabs(rest);
      setActiveTab((a) => (a === id ? (rest[rest.length - 1]?.id ?? null) : a));
    },
    [api],
  );

  /** A terminal tab whose shell ended or whose connection dropped: a new shell, same tab. */
  const reopen = useCallback(
    (tab: Tab) => {
      const conn = connsRef.current[tab.connectionId];
      const ctl = controllers.current.get(tab.id);
      if (!conn || !ctl) return;
      updateTab(tab.id, { ended: null });
      const go = () => {
        ctl.term.reset();
        startShell(tab.id, { cols: ctl.term.cols, rows: ctl.term.rows });
      };
      if (conn.state === 'connected') return go();
      afterConnect({ ...conn, state: 'connecting' }, go);
      api.reconnect({ connectionId: tab.connectionId }).catch(showError);
    },
    [api, afterConnect, showError, startShell, updateTab],
  );

  // Keyboard shortcuts: Ctrl+Shift+T another terminal to the active tab's host, Ctrl+Shift+W
  // closes the active tab (xterm lets these keys through, terminal-controller.ts); in Electron
  // the application menu owns those keys and sends the same commands.
  useEffect(() => {
    const run = (command: MenuCommand) => {
      const tab = tabsRef.current.find((t) => t.id === activeTab);
      if (command === 'zoomIn' || command === 'zoomOut' || command === 'zoomReset') {
        if (tab) controllers.current.get(tab.id)?.zoom(command);
      } else if (command === 'newTab') {
        const conn = tab ? connsRef.current[tab.connectionId] : undefined;
        if (conn) afterConnect(conn, () => addTab(conn, 'terminal'));
      } else if (tab) closeTab(tab.id);
    };
    const onKey = (ev: KeyboardEvent) => {
      const command = isNewTabShortcut(ev) ? 'newTab' : isCloseTabShortcut(ev) ? 'closeTab' : null;
      if (command === null) return;
      ev.preventDefault();
      run(command);
    };
    window.addEventListener('keydown', onKey);
    const offMenu = service.onMenuCommand(run);
    return () => {
      window.removeEventListener('keydown', onKey);
      offMenu();
    };
  }, [activeTab, addTab, afterConnect, closeTab, service]);

  useEffect(() => {
    for (const c of controllers.current.values()) c.setDark(dark);
  }, [dark]);

  const labelOf = (t: Tab) => connections[t.connectionId]?.label ?? 'connecting…';

  return (
    <div className="app">
      <HostSidebar
        api={api}
        hosts={hosts}
        connections={Object.values(connections)}
        tunnels={Object.values(tunnels)}
        onConnect={(target) => void connect(target)}
        onOpenFiles={(conn) => afterConnect(conn, () => addTab(conn, 'sftp'))}
        onNewTerminal={(conn) => afterConnect(conn, () => addTab(conn, 'terminal'))}
        onError={showError}
        dark={dark}
        onToggleTheme={toggleTheme}
      />
      <main className="workspace">
        {serviceGone !== null && (
          <div className="banner error" role="alert">
            The Keyway service is gone ({serviceGone}). Reload the page after restarting it.
          </div>
        )}
        {errors.length > 0 && (
          <ul className="errors" aria-label="Errors">
            {errors.map((e) => (
              <li key={e.id} role="alert">
                <span>{e.text}</span>
                <button
                  type="button"
                  aria-label="Dismiss"
                  onClick={() => setErrors((l) => l.filter((x) => x.id !== e.id))}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
        <TabStrip
          tabs={tabs}
          active={activeTab}
          labelOf={labelOf}
          onSelect={setActiveTab}
          onClose={closeTab}
        />
        <div className="tab-panels">
          {tabs.length === 0 && (
            <div className="empty">
              <p>Connect to a host from the list, or type user@host in Quick connect.</p>
              <p className="hint">Ctrl+Shift+T: new terminal tab · Ctrl+Shift+W: close tab</p>
              <p className="hint">
                In a terminal: Ctrl+Shift+C copy · Ctrl+Shift+V paste · Ctrl+Shift+F find · Ctrl+= /
                Ctrl+- / Ctrl+0 font size
              </p>
            </div>
          )}
          {tabs.map((t) => (
            <section
              key={t.id}
              id={`panel-${t.id}`}
              role="tabpanel"
              aria-label={`${t.kind === 'sftp' ? 'Files' : 'Terminal'} ${labelOf(t)}`}
              hidden={t.id !== activeTab}
              className="tab-panel"
            >
              {t.kind === 'terminal' ? (
                <TerminalPane
                  controller={controllers.current.get(t.id)}
                  active={t.id === activeTab}
                  started={t.terminalId !== null || t.ended !== null}
                  ended={t.ended}
                  onSize={(size) => startShell(t.id, size)}
                  onReconnect={() => reopen(t)}
                />
              ) : (
                <SftpPane
                  api={api}
                  connection={connections[t.connectionId]}
                  transfers={Object.values(transfers).filter(
                    (x) => x.connectionId === t.connectionId,
                  )}
                  onError={showError}
                />
              )}
            </section>
          ))}
        </div>
      </main>
      {prompts[0] && (
        <PromptDialog
          key={prompts[0].promptId}
          prompt={prompts[0]}
          api={api}
          onError={showError}
          label={connections[prompts[0].connectionId]?.label ?? ''}
        />
      )}
    </div>
  );
}
