/**
 * The typed contract between the UI and the application service (DESIGN.md runtime picture,
 * CONVENTIONS §11): invoke methods (one argument object in, one result out) and event streams.
 * Electron's preload and the browser host's WebSocket carry exactly this; the renderer imports
 * it only as types (`import type`). Argument types come from the zod schemas that validate them
 * at run time (schemas.ts); results and events are plain data (JSON plus Uint8Array).
 *
 * Errors cross as WireError {name, code, message, details} (errors.ts) and are rebuilt as
 * ServiceCallError with the same name and code.
 */
import type { MethodArgs, MethodName, TunnelSpec } from './schemas.js';

export type {
  MethodArgs,
  MethodName,
  PromptAnswer,
  Target,
  ProfileInput,
  TunnelSpec,
} from './schemas.js';

// ---- hosts ---------------------------------------------------------------------------------

/** A saved profile (profiles.json in the app data directory). */
export interface Profile {
  readonly id: string;
  readonly name: string;
  readonly host: string;
  readonly port?: number;
  readonly user?: string;
  readonly identityFiles?: readonly string[];
  /**
   * Jump hosts, as ssh -J / ProxyJump writes them: `[user@]host[:port]`, comma-separated, the
   * first connected to first; each is also looked up in ~/.ssh/config. `none`: no jump host,
   * whatever the config says.
   */
  readonly proxyJump?: string;
  /**
   * Tunnels set up whenever the host connects, each as ssh's flag writes it: `-L 8080:db:5432`,
   * `-R 0:localhost:22`, `-D 1080` (TCP listeners only).
   */
  readonly tunnels?: readonly string[];
  readonly group?: string;
  readonly colour?: string;
}

/** A `Host` alias of ~/.ssh/config (read-only), with what it resolves to. */
export interface SshConfigHost {
  readonly alias: string;
  readonly hostName: string;
  readonly port: number;
  readonly user: string;
}

export interface HostList {
  readonly profiles: readonly Profile[];
  readonly sshConfig: readonly SshConfigHost[];
  /** Files that could not be read (a broken profiles.json, a bad ssh_config), in words. */
  readonly problems: readonly string[];
}

/** A parsed quick-connect string `[user@]host[:port]` (user and port absent when not typed). */
export interface QuickTarget {
  readonly host: string;
  readonly port?: number;
  readonly user?: string;
}

// ---- connections ---------------------------------------------------------------------------

export type ConnectionState =
  'connecting' | 'authenticating' | 'connected' | 'disconnected' | 'failed';

export interface WireError {
  readonly name: string;
  readonly code: string;
  readonly message: string;
  readonly details: Record<string, unknown>;
}

export interface ConnectionInfo {
  readonly connectionId: string;
  /** What the tab is called: user@host, or user@host:port off port 22. */
  readonly label: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly state: ConnectionState;
  /** Why it failed or dropped (state failed / disconnected by error). */
  readonly error?: WireError;
  /** The saved host it was connected as (a target of kind profile); absent for others. */
  readonly profileId?: string;
}

/** Host key as the prompt shows it. */
export interface HostKeyInfo {
  readonly keyType: string;
  readonly bits: number;
  /** SHA256:… */
  readonly fingerprint: string;
  /** ssh-keygen -lv's picture, lines joined by \n. */
  readonly randomart: string;
  /** The line "Accept and save" would add to known_hosts. */
  readonly knownHostsLine: string;
}

/**
 * A jump host on the way to a connection's host (ProxyJump): the `position`th of the `of` hosts
 * of the chain given for the host it leads to (1: connected to first).
 */
export interface JumpHop {
  readonly position: number;
  readonly of: number;
  /** The name in the chain, before HostName. */
  readonly alias: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
}

interface PromptBase {
  readonly promptId: string;
  readonly connectionId: string;
  /** Set when the prompt is for a jump host, not the connection's host itself. */
  readonly hop?: JumpHop;
}

export type Prompt =
  | (PromptBase & {
      readonly kind: 'hostKey';
      /** new: not known; changed: known_hosts has another key ("REMOTE HOST IDENTIFICATION HAS CHANGED"). */
      readonly status: 'new' | 'changed';
      /** The name it is recorded under: host or [host]:port. */
      readonly name: string;
      readonly key: HostKeyInfo;
      /** For a changed key: what known_hosts has (file:line, type, fingerprint). */
      readonly known: readonly {
        readonly file: string;
        readonly line: number;
        readonly type: string;
        readonly fingerprint: string;
      }[];
    })
  | (PromptBase & { readonly kind: 'password'; readonly user: string; readonly attempt: number })
  | (PromptBase & {
      readonly kind: 'passphrase';
      readonly keyPath: string;
      readonly attempt: number;
    })
  | (PromptBase & {
      /** A smartcard's user PIN (PKCS11Provider, or an identity given as a pkcs11: URI). */
      readonly kind: 'pin';
      /** The token's label (CK_TOKEN_INFO.label). */
      readonly token: string;
      /**
       * What the token says about its PIN: countLow, a wrong PIN was entered since the last
       * right one; finalTry, one more wrong PIN locks the token.
       */
      readonly pinStatus: 'ok' | 'countLow' | 'finalTry';
    })
  | (PromptBase & {
      readonly kind: 'keyboardInteractive';
      readonly name: string;
      readonly instruction: string;
      readonly prompts: readonly { readonly prompt: string; readonly echo: boolean }[];
    });

// ---- terminals -----------------------------------------------------------------------------

export interface TerminalInfo {
  readonly terminalId: string;
  readonly connectionId: string;
}

// ---- files ---------------------------------------------------------------------------------

export type FileKind = 'file' | 'directory' | 'symlink' | 'other';

export interface FileEntry {
  readonly name: string;
  readonly path: string;
  readonly kind: FileKind;
  readonly size: number | null;
  /** Seconds since the epoch. */
  readonly mtime: number | null;
  /** Permission bits (& 0o7777), null when unknown. */
  readonly mode: number | null;
}

export interface DirectoryListing {
  /** The directory listed, as given. */
  readonly path: string;
  /** Sorted by name; '.' and '..' left out. */
  readonly entries: readonly FileEntry[];
}

export type TransferState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface TransferInfo {
  readonly transferId: string;
  readonly connectionId: string;
  readonly direction: 'upload' | 'download';
  readonly localPath: string;
  readonly remotePath: string;
  readonly state: TransferState;
  /** Bytes of all files so far (a resumed file counts its existing part). */
  readonly bytes: number;
  /** Known once the source is walked. */
  readonly totalBytes: number | null;
  readonly filesDone: number;
  readonly filesTotal: number | null;
  readonly bytesPerSecond: number;
  /** The file being moved now. */
  readonly currentPath: string | null;
  readonly error?: WireError;
  /** Files of a tree that failed while the rest went on. */
  readonly failures: readonly { readonly path: string; readonly message: string }[];
  /**
   * An upload whose bytes the UI sent (beginUpload / writeUpload): `localPath` is only the
   * file's name as the page had it, and it cannot be resumed.
   */
  readonly streamed?: boolean;
}

// ---- tunnels ------------------------------------------------------------------------------

/**
 * waiting: its connection is not connected (it starts when it is); starting → listening, or
 * failed (the bind or the server's tcpip-forward refused; lastError says why); removed: gone
 * for good (the last event of a tunnel).
 */
export type TunnelState = 'waiting' | 'starting' | 'listening' | 'failed' | 'removed';

export interface TunnelInfo {
  readonly tunnelId: string;
  readonly connectionId: string;
  readonly spec: TunnelSpec;
  /**
   * Set up by the connection itself: from the host's LocalForward / RemoteForward /
   * DynamicForward in ~/.ssh/config, or from the saved host's tunnels. Absent: added by hand.
   */
  readonly origin?: 'sshConfig' | 'profile';
  /** As ssh's flag writes it: "-L localhost:8080:example.org:80". */
  readonly description: string;
  readonly state: TunnelState;
  /** Addresses our listener bound (-L, -D); empty for -R. */
  readonly bound: readonly { readonly address: string; readonly port: number }[];
  /** The port listened on (for -R the server's, the allocated one for port 0); null until then. */
  readonly port: number | null;
  readonly activeConnections: number;
  /** Connections since the tunnel was added, across reconnects. */
  readonly totalConnections: number;
  /** Bytes from local sockets into the SSH connection, across reconnects. */
  readonly bytesSent: number;
  /** Bytes out of the SSH connection to local sockets, across reconnects. */
  readonly bytesReceived: number;
  readonly lastError: string | null;
}

// ---- methods and events --------------------------------------------------------------------

export interface MethodResults {
  listHosts: HostList;
  saveProfile: Profile;
  deleteProfile: void;
  parseQuickConnect: QuickTarget;
  connect: ConnectionInfo;
  disconnect: void;
  reconnect: ConnectionInfo;
  listConnections: readonly ConnectionInfo[];
  answerPrompt: void;
  openTerminal: TerminalInfo;
  writeTerminal: void;
  resizeTerminal: void;
  ackTerminal: void;
  closeTerminal: void;
  remoteHome: string;
  remoteList: DirectoryListing;
  remoteStat: FileEntry;
  remoteMkdir: void;
  remoteRename: void;
  remoteDelete: void;
  remoteChmod: void;
  localHome: string;
  localList: DirectoryListing;
  localStat: FileEntry;
  localMkdir: void;
  localRename: void;
  localDelete: void;
  localChmod: void;
  startTransfer: TransferInfo;
  cancelTransfer: void;
  listTransfers: readonly TransferInfo[];
  addTunnel: TunnelInfo;
  listTunnels: readonly TunnelInfo[];
  removeTunnel: void;
  saveTunnel: TunnelInfo;
  beginUpload: TransferInfo;
  writeUpload: void;
}

/** The service as the UI calls it: `await api.connect({ target })`. */
export type ServiceApi = {
  readonly [M in MethodName]: (args: MethodArgs<M>) => Promise<MethodResults[M]>;
};

export interface ServiceEvents {
  /** A connection changed state (also sent once when it is created). */
  connectionState: ConnectionInfo;
  /** Something needs a person; answer with answerPrompt(promptId, …). */
  prompt: Prompt;
  /** A prompt is no longer wanted (answered, or its connection went away). */
  promptClosed: { readonly promptId: string };
  /**
   * Terminal output, batched (about 16 ms or 64 KiB). Acknowledge with ackTerminal once
   * rendered: above FLOW_HIGH_WATERMARK unacknowledged bytes the service stops reading.
   */
  terminalData: { readonly terminalId: string; readonly data: Uint8Array };
  /** The shell ended or its connection dropped. */
  terminalExit: {
    readonly terminalId: string;
    readonly exitCode: number | null;
    readonly signal: string | null;
    readonly error?: WireError;
  };
  /** A transfer's progress (at most 10 a second) or state changed. */
  transfer: TransferInfo;
  /** Profiles changed (saved, deleted). */
  hostsChanged: Record<string, never>;
  /**
   * A tunnel changed: its state at once, its counters at most every TUNNEL_EVENT_INTERVAL_MS
   * while connections are open.
   */
  tunnelState: TunnelInfo;
}

export type EventName = keyof ServiceEvents;

/** Shortest time between two counter-only tunnelState events of one tunnel. */
export const TUNNEL_EVENT_INTERVAL_MS = 250;
/** The largest chunk of a streamed upload (writeUpload's `data`). */
export const UPLOAD_CHUNK_MAX = 256 * 1024;

/** Flow-control constants (CONVENTIONS §13); acknowledge at most LOW in one ack. */
export const FLOW_HIGH_WATERMARK = 100_000;
export const FLOW_LOW_WATERMARK = 5_000;
