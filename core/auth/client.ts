/**
 * User authentication, client side (RFC 4252, RFC 4256), in OpenSSH's order: "none" to learn
 * the methods, then publickey (each candidate queried before its private key is loaded, so a
 * passphrase is only asked for a key the server would take), keyboard-interactive, password.
 * Partial success (AuthenticationMethods publickey,password) continues with the methods the
 * server lists next.
 *
 * Nothing is sent before the transport's first key exchange has completed, which includes the
 * host-key verifier's yes: no username, no key, no password can reach an unverified server.
 */
import {
  CERT_SUFFIX,
  certificateHostKeyAlgorithms,
  isCertificateName,
  plainName,
  supportedHostKeyAlgorithms,
} from '../crypto/hostkey/algorithms.js';
import type { PublicKey } from '../crypto/hostkey/types.js';
import { ConnectionLost, ProtocolError } from '../errors.js';
import type { Transport } from '../transport/transport.js';
import { serverSigAlgs } from '../transport/ext-info.js';
import { Msg } from '../wire/messages.js';
import { AuthCancelled, AuthError } from './errors.js';
import {
  decodeBanner,
  decodeFailure,
  decodeInfoRequest,
  decodePkOk,
  infoResponse,
  kbdInteractiveRequest,
  noneRequest,
  passwordRequest,
  publickeyQuery,
  publickeyRequest,
  publickeySignedData,
  type InfoRequest,
} from './messages.js';
import type { Signer } from './signer.js';

/** A key that may be offered: its public half now, its Signer only when the server wants it. */
export interface KeyCandidate {
  readonly publicKey: PublicKey;
  readonly algorithms: readonly string[];
  /** For messages: a file path or "agent". */
  readonly source: string;
  /** Loads the private side (may ask for a passphrase); null when the person declines. */
  signer(): Promise<Signer | null>;
}

export interface AuthOptions {
  readonly username: string;
  /** Keys in the order to offer them (client/ puts agent keys first, then identity files). */
  readonly keys?: readonly KeyCandidate[];
  /** Asked for a password; null to give up. `attempt` counts from 1. */
  readonly password?: (p: { username: string; attempt: number }) => Promise<string | null>;
  /** Answers keyboard-interactive prompts; null to give up. */
  readonly keyboardInteractive?: (req: InfoRequest) => Promise<string[] | null>;
  readonly onBanner?: (text: string) => void;
  /** Which methods may be used (PubkeyAuthentication, PasswordAuthentication, KbdInteractiveAuthentication). */
  readonly allow?: {
    readonly publickey?: boolean;
    readonly password?: boolean;
    readonly keyboardInteractive?: boolean;
  };
  /** PubkeyAcceptedAlgorithms; default: everything but ssh-rsa (SHA-1), certificates first. */
  readonly pubkeyAlgorithms?: readonly string[];
  /** NumberOfPasswordPrompts: password and keyboard-interactive attempts (default 3). */
  readonly maxPrompts?: number;
}

export interface AuthResult {
  /** The method that finished authentication. */
  readonly method: string;
  /** Connection-layer messages that arrived with USERAUTH_SUCCESS: hand them on. */
  readonly pending: Uint8Array[];
}

type Reply =
  | { kind: 'success' }
  | { kind: 'failure'; methods: string[]; partial: boolean }
  | { kind: 'sixty'; payload: Uint8Array };

/** Drives one exchange at a time: send a request, await the server's next auth message. */
class AuthChannel {
  private waiter: { resolve: (r: Reply) => void; reject: (e: Error) => void } | null = null;
  private readonly early: Reply[] = [];
  readonly pending: Uint8Array[] = [];
  private done = false;

  constructor(
    private readonly t: Transport,
    private readonly onBanner: (text: string) => void,
  ) {
    t.onMessage = (p) => this.onMessage(p);
    void t.closed.then((e) =>
      this.fail(e ?? new ConnectionLost('connection closed during authentication')),
    );
  }

  private onMessage(p: Uint8Array): void {
    const type = p[0] ?? 0;
    if (this.done) {
      this.pending.push(p.slice());
      return;
    }
    let reply: Reply;
    if (type === Msg.USERAUTH_BANNER) return this.onBanner(decodeBanner(p));
    if (type === Msg.USERAUTH_SUCCESS) {
      this.done = true;
      reply = { kind: 'success' };
    } else if (type === Msg.USERAUTH_FAILURE) {
      const f = decodeFailure(p);
      reply = { kind: 'failure', methods: f.methods, partial: f.partialSuccess };
    } else if (type === Msg.USERAUTH_PK_OK) {
      reply = { kind: 'sixty', payload: p.slice() };
    } else {
      this.t.abort(new ProtocolError(`unexpected message ${type} during user authentication`));
      return;
    }
    const w = this.waiter;
    this.waiter = null;
    if (w) w.resolve(reply);
    else this.early.push(reply);
  }

  private fail(e: Error): void {
    const w = this.waiter;
    this.waiter = null;
    w?.reject(e);
  }

  next(): Promise<Reply> {
    const r = this.early.shift();
    if (r) return Promise.resolve(r);
    if (this.t.isClosed)
      return Promise.reject(new ConnectionLost('connection closed during authentication'));
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** Requests sent; bounded so a server that answers "partial success" forever cannot loop us. */
  private asked = 0;

  ask(payload: Uint8Array): Promise<Reply> {
    if (++this.asked > MAX_REQUESTS) {
      return Promise.reject(
        new AuthError([], `gave up after ${MAX_REQUESTS} authentication requests`),
      );
    }
    this.t.send(payload);
    return this.next();
  }
}

/** RSA keys sign with SHA-2 when the server says it can verify that (RFC 8332 §3.1, RFC 8308). */
function chooseAlgorithm(
  c: KeyCandidate,
  serverAlgs: readonly string[],
  accepted: readonly string[],
): string | null {
  const usable = c.algorithms.filter((a) => accepted.includes(a));
  if (plainName(c.publicKey.type) !== 'ssh-rsa') return usable[0] ?? null;
  // certificates: rsa-sha2-512-cert-v01@openssh.com when the server lists rsa-sha2-512
  const suffix = isCertificateName(c.publicKey.type) ? CERT_SUFFIX : '';
  for (const a of ['rsa-sha2-512', 'rsa-sha2-256']) {
    if (usable.includes(a + suffix) && serverAlgs.includes(a)) return a + suffix;
  }
  const legacy = 'ssh-rsa' + suffix;
  return usable.includes(legacy) && (serverAlgs.length === 0 || serverAlgs.includes('ssh-rsa'))
    ? legacy
    : null;
}

const MAX_REQUESTS = 64;

const DEFAULT_PUBKEY_ALGS = [...certificateHostKeyAlgorithms(), ...supportedHostKeyAlgorithms()];

/** Authenticates on an established transport. Throws AuthError when nothing worked. */
export async function authenticate(t: Transport, o: AuthOptions): Promise<AuthResult> {
  await t.ready; // the host key is verified: only now may anything about the user be sent
  await t.requestService('ssh-userauth');
  const ch = new AuthChannel(t, o.onBanner ?? (() => {}));
  const user = o.username;
  const allow = { publickey: true, password: true, keyboardInteractive: true, ...o.allow };
  const accepted = o.pubkeyAlgorithms ?? DEFAULT_PUBKEY_ALGS;
  const maxPrompts = o.maxPrompts ?? 3;
  const sessionId = t.sessionId;
  if (!sessionId) throw new ProtocolError('no session id after key exchange');

  let reply = await ch.ask(noneRequest(user));
  let methods: string[] = [];
  const keysTried = new Set<string>();
  let passwordTries = 0;
  let kbdTries = 0;

  const update = (r: Reply): boolean => {
    if (r.kind === 'success') return true;
    if (r.kind === 'failure') methods = r.methods;
    return false;
  };
  if (update(reply)) return { method: 'none', pending: ch.pending };

  for (;;) {
    if (allow.publickey && methods.includes('publickey')) {
      const serverAlgs = serverSigAlgs(t.peerExtensions);
      let progressed = false;
      for (const c of o.keys ?? []) {
        const id = Buffer.from(c.publicKey.blob).toString('base64');
        if (keysTried.has(id)) continue;
        keysTried.add(id);
        const alg = chooseAlgorithm(c, serverAlgs, accepted);
        if (!alg) continue;
        reply = await ch.ask(publickeyQuery(user, alg, c.publicKey.blob));
        if (reply.kind === 'failure') {
          update(reply);
          if (!methods.includes('publickey')) break;
          continue;
        }
        if (reply.kind === 'success') return { method: 'publickey', pending: ch.pending };
        decodePkOk(reply.payload);
        const signer = await c.signer();
        if (!signer) continue;
        const sig = await signer.sign(
          alg,
          publickeySignedData(sessionId, user, alg, c.publicKey.blob),
        );
        reply = await ch.ask(publickeyRequest(user, alg, c.publicKey.blob, sig));
        if (update(reply)) return { method: 'publickey', pending: ch.pending };
        if (reply.kind === 'failure' && reply.partial) {
          progressed = true;
          break;
        }
      }
      if (progressed) continue;
    }
    if (
      allow.keyboardInteractive &&
      methods.includes('keyboard-interactive') &&
      o.keyboardInteractive &&
      kbdTries < maxPrompts
    ) {
      kbdTries++;
      reply = await ch.ask(kbdInteractiveRequest(user));
      while (reply.kind === 'sixty') {
        const answers = await o.keyboardInteractive(decodeInfoRequest(reply.payload));
        if (answers === null)
          throw new AuthCancelled('keyboard-interactive authentication cancelled');
        reply = await ch.ask(infoResponse(answers));
      }
      if (update(reply)) return { method: 'keyboard-interactive', pending: ch.pending };
      if (reply.kind === 'failure' && reply.partial) kbdTries = 0;
      continue;
    }
    if (
      allow.password &&
      methods.includes('password') &&
      o.password &&
      passwordTries < maxPrompts
    ) {
      passwordTries++;
      const pw = await o.password({ username: user, attempt: passwordTries });
      if (pw === null) throw new AuthCancelled('password authentication cancelled');
      reply = await ch.ask(passwordRequest(user, pw));
      if (reply.kind === 'sixty') {
        throw new AuthError(
          methods,
          'The server requires a password change, which is not supported.',
        );
      }
      if (update(reply)) return { method: 'password', pending: ch.pending };
      if (reply.kind === 'failure' && reply.partial) passwordTries = 0;
      continue;
    }
    throw new AuthError(methods);
  }
}
