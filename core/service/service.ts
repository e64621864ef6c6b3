/**
 * The application service (DESIGN.md core/service): hosts, connections, prompts, terminals,
 * files, transfers and tunnels behind the contract's methods (api/contract.ts). createService() wires
 * the parts together and returns the dispatch every host binding calls (arguments validated
 * there, dispatch.ts) and the event hub it forwards from. Paths: profiles in the app data
 * directory; ~/.ssh (config, known_hosts, default keys) under `home`.
 */
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { appDataDir } from '../config/app-dirs.js';
import { ConnectionManager } from './connections/connection-manager.js';
import { PromptBroker } from './connections/prompts.js';
import { createDispatch, type Dispatch, type Handlers } from './dispatch.js';
import { InvalidArgumentError } from './errors.js';
import { EventHub } from './events.js';
import { LocalFiles } from './files/local-files.js';
import { RemoteFiles } from './files/remote-files.js';
import { STREAM_IDLE_MS, StreamUploads } from './files/stream-uploads.js';
import { TransferQueue } from './files/transfer-queue.js';
import { Hosts } from './hosts/hosts.js';
import { parseQuickConnect } from './hosts/quick-connect.js';
import { TerminalManager } from './terminals/terminal-manager.js';
import { TunnelManager } from './tunnels/tunnel-manager.js';
import { isTunnelFlagOf, tunnelFlag } from './tunnels/tunnel-spec.js';

export interface ServiceOptions {
  /** Where profiles.json lives; default appDataDir(). */
  readonly dataDir?: string;
  /** Whose ~/.ssh is used, and the local pane's home; default the user's. */
  readonly home?: string;
  /** Agent socket; undefined: $SSH_AUTH_SOCK; null: no agent. */
  readonly agentPath?: string | null;
  /** Read-only known_hosts files; default /etc/ssh/ssh_known_hosts{,2}. */
  readonly globalKnownHostsFiles?: readonly string[];
  /** Default remote user; default the local user's name. */
  readonly defaultUser?: string;
  readonly onWarning?: (message: string) => void;
  /** How long a streamed upload may wait for its next chunk; default STREAM_IDLE_MS. */
  readonly streamIdleMs?: number;
}

export interface Service {
  readonly dispatch: Dispatch;
  readonly events: EventHub;
  /** Exposed for diagnostics and tests (flow-control state). */
  readonly terminals: TerminalManager;
  /** Ends every connection and transfer. */
  close(): void;
}

export function createService(o: ServiceOptions = {}): Service {
  const home = o.home ?? homedir();
  const onWarning = o.onWarning ?? (() => {});
  const events = new EventHub();
  const emit = events.emit;
  const hosts = new Hosts(
    join(o.dataDir ?? appDataDir(), 'profiles.json'),
    join(home, '.ssh', 'config'),
    o.defaultUser ?? userInfo().username,
    home,
  );
  const prompts = new PromptBroker(emit);
  const connections = new ConnectionManager({
    hosts,
    prompts,
    emit,
    home,
    ...(o.agentPath !== undefined ? { agentPath: o.agentPath } : {}),
    globalKnownHostsFiles: o.globalKnownHostsFiles ?? [
      '/etc/ssh/ssh_known_hosts',
      '/etc/ssh/ssh_known_hosts2',
    ],
    onWarning,
    onClient: (id, client, options, saved) => tunnels.connectionChanged(id, client, options, saved),
  });
  const tunnels = new TunnelManager(emit, (id) => connections.check(id), onWarning);
  const terminals = new TerminalManager(emit, async (id) => ({
    session: await connections.client(id).openSession(),
    env: connections.sessionEnvironment(id),
  }));
  const remote = (id: string) => new RemoteFiles(() => connections.sftp(id, 'browse'));
  const local = new LocalFiles(home);
  const transfers = new TransferQueue(emit, (id) => connections.sftp(id, 'transfer'));
  const streams = new StreamUploads(
    emit,
    (id) => connections.sftp(id, 'transfer'),
    o.streamIdleMs ?? STREAM_IDLE_MS,
  );

  const handlers: Handlers = {
    listHosts: () => hosts.list(),
    saveProfile: async ({ profile }) => {
      const saved = await hosts.profiles.save(profile);
      emit('hostsChanged', {});
      return saved;
    },
    deleteProfile: async ({ id }) => {
      await hosts.profiles.delete(id);
      emit('hostsChanged', {});
    },
    parseQuickConnect: async ({ text }) => parseQuickConnect(text),

    connect: ({ target }) => connections.connect(target),
    disconnect: async ({ connectionId }) => connections.disconnect(connectionId),
    reconnect: async ({ connectionId }) => connections.reconnect(connectionId),
    listConnections: async () => connections.list(),
    answerPrompt: async ({ promptId, answer }) => prompts.answer(promptId, answer),

    openTerminal: (a) => terminals.open(a),
    writeTerminal: async ({ terminalId, data }) => terminals.write(terminalId, data),
    resizeTerminal: async ({ terminalId, cols, rows }) => terminals.resize(terminalId, cols, rows),
    ackTerminal: async ({ terminalId, bytes }) => terminals.ack(terminalId, bytes),
    closeTerminal: async ({ terminalId }) => terminals.close(terminalId),

    remoteHome: ({ connectionId }) => remote(connectionId).home(),
    remoteList: ({ connectionId, path }) => remote(connectionId).list(path),
    remoteStat: ({ connectionId, path }) => remote(connectionId).stat(path),
    remoteMkdir: ({ connectionId, path }) => remote(connectionId).mkdir(path),
    remoteRename: ({ connectionId, from, to }) => remote(connectionId).rename(from, to),
    remoteDelete: ({ connectionId, path, recursive }) =>
      remote(connectionId).delete(path, recursive ?? false),
    remoteChmod: ({ connectionId, path, mode }) => remote(connectionId).chmod(path, mode),

    localHome: async () => local.home(),
    localList: ({ path }) => local.list(path),
    localStat: ({ path }) => local.stat(path),
    localMkdir: ({ path }) => local.mkdir(path),
    localRename: ({ from, to }) => local.rename(from, to),
    localDelete: ({ path, recursive }) => local.delete(path, recursive ?? false),
    localChmod: ({ path, mode }) => local.chmod(path, mode),

    startTransfer: async (a) => transfers.start(a),
    cancelTransfer: async ({ transferId }) =>
      streams.has(transferId) ? streams.cancel(transferId) : transfers.cancel(transferId),
    listTransfers: async () => [...transfers.list(), ...streams.list()],
    beginUpload: (a) => streams.begin(a),
    writeUpload: ({ transferId, offset, data }) => streams.write(transferId, offset, data),

    addTunnel: async ({ connectionId, spec }) => tunnels.add(connectionId, spec),
    listTunnels: async ({ connectionId }) => tunnels.list(connectionId),
    removeTunnel: async ({ tunnelId }) => tunnels.remove(tunnelId),
    saveTunnel: async ({ tunnelId }) => {
      const t = tunnels.get(tunnelId);
      const profileId = connections.profileOf(t.connectionId);
      if (profileId === null) {
        throw new InvalidArgumentError(
          `tunnel ${t.description} is on a connection that is not a saved host`,
          { tunnelId },
        );
      }
      const { added } = await hosts.profiles.addTunnel(profileId, tunnelFlag(t.spec), (line) =>
        isTunnelFlagOf(line, t.spec),
      );
      if (added) emit('hostsChanged', {});
      return tunnels.markSaved(tunnelId);
    },
  };

  return {
    dispatch: createDispatch(handlers),
    events,
    terminals,
    close: () => {
      transfers.cancelAll();
      streams.cancelAll();
      prompts.withdraw();
      tunnels.closeAll();
      connections.closeAll();
    },
  };
}
