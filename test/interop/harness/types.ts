// Types of the interop harness: real OpenSSH and dropbear servers started on 127.0.0.1 for a
// test and stopped by it (DESIGN.md "Real components in tests").

/** Which Debian's servers: the host's (bookworm) or those in the trixie chroot. */
export type Flavor = 'bookworm' | 'trixie';

export type HostKeyType = 'ed25519' | 'ecdsa256' | 'ecdsa384' | 'ecdsa521' | 'rsa';

export interface ServerOptions {
  /** Default 'bookworm'. */
  flavor?: Flavor;
  /** OpenSSH only: written as KexAlgorithms, Ciphers, MACs, HostKeyAlgorithms (any +,-,^ form). */
  kex?: string[];
  ciphers?: string[];
  macs?: string[];
  hostKeyAlgorithms?: string[];
  /**
   * Host keys to make and serve; default all of them. Dropbear serves at most 4 (default: all
   * but ecdsa384).
   */
  hostKeyTypes?: HostKeyType[];
  /** OpenSSH RekeyLimit value, e.g. '64K' or '1M 5'. */
  rekeyLimit?: string;
  /**
   * OpenSSH: extra sshd_config lines, written before the harness's own lines so that they win
   * (sshd takes the first value of a keyword); no Match blocks. Dropbear: extra command-line
   * arguments, one per entry (e.g. '-W', '1048576').
   */
  extraConfig?: string[];
  /**
   * Lines of the authorized_keys file the server reads. Dropbear takes them only in the trixie
   * flavor (2025.x has -D <dir>); bookworm's 2022.83 reads only ~user/.ssh and is refused: give
   * the test user keys with setTestUserAuthorizedKeys() instead.
   */
  authorizedKeys?: string[];
}

export interface DropbearOptions extends Omit<
  ServerOptions,
  'kex' | 'ciphers' | 'macs' | 'hostKeyAlgorithms' | 'rekeyLimit'
> {
  /**
   * Allow password logins (no -s); default false. Dropbear checks the password against the
   * shadow file of the system it runs on: the host's for bookworm (ensureTestUser() makes
   * one), the root's for trixie.
   */
  passwords?: boolean;
}

export interface HostKeyInfo {
  /** Key type as on the wire, e.g. ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa. */
  type: string;
  /** 'type base64' as in the .pub file, without comment. */
  publicLine: string;
  /** Private key file, as seen from the host (for trixie: inside the root). */
  path: string;
}

export interface RunningServer {
  kind: 'openssh' | 'dropbear';
  flavor: Flavor;
  host: '127.0.0.1';
  port: number;
  pid: number;
  /** Software version from the server's banner, e.g. 'OpenSSH_9.2p1' or 'dropbear_2022.83'. */
  version: string;
  hostKeys: HostKeyInfo[];
  /** stderr and stdout collected so far (the last MiB), for assertion messages. */
  log(): string;
  /** SIGTERM by PID (and its per-connection children), SIGKILL after 3 s, remove the temp dir. */
  stop(): Promise<void>;
}

export interface AlgorithmLists {
  kex: string[];
  ciphers: string[];
  macs: string[];
  hostKeyAlgorithms: string[];
}
