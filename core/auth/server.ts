/**
 * User authentication, server side (RFC 4252, RFC 4256), on a server-role transport: accepts
 * the ssh-userauth service, answers USERAUTH_REQUESTs one at a time with the caller's policy
 * (server-options.ts), and resolves once a methods list is complete. The bundled sshd
 * (core/server) sits on this.
 *
 * Behaviour follows OpenSSH's sshd: the user name and service are fixed by the first request
 * (a change ends the connection); only ssh-connection is served; failed attempts count toward
 * maxAuthTries except a first "none" and partial successes; PK_OK and INFO_REQUEST are not
 * answers, so they do not count; messages before the service is accepted, and messages of
 * other layers before success, get UNIMPLEMENTED; after success, further auth messages are
 * ignored (§5.1) and connection-layer messages wait in `pending` for core/connection.
 * Every user name is put to the callbacks and every refusal looks the same on the wire.
 */
import { ConnectionLost, ProtocolError, ServiceNotAvailable, SshError } from '../errors.js';
import { Msg } from '../wire/messages.js';
import { SshWriter } from '../wire/writer.js';
import { AuthTimeout, TooManyAuthFailures } from './errors.js';
import { SERVICE_CONNECTION } from './messages.js';
import { SerialInbox } from './server-inbox.js';
import { Conversation, type KbdStep } from './server-kbdint.js';
import {
  decodeInfoResponse,
  decodeUserauthRequest,
  encodeBanner,
  encodeFailure,
  encodeInfoRequest,
  encodePkOk,
  encodeSuccess,
  type UserauthRequest,
} from './server-messages.js';
import {
  MethodLists,
  resolveServerAuth,
  type AcceptedKey,
  type AuthAttempt,
  type ResolvedServerAuth,
  type ServerAuthMethod,
  type ServerAuthOptions,
} from './server-options.js';
import { checkPassword } from './server-password.js';
import { blobId, checkPublickey } from './server-publickey.js';
import { failureDelayMs } from './server-timing.js';

export {
  acceptedPubkeyAlgorithms,
  DEFAULT_SERVER_PUBKEY_ALGORITHMS,
  type AcceptedKey,
  type AuthAttempt,
  type KbdConversation,
  type OfferedKey,
  type ServerAuthMethod,
  type ServerAuthOptions,
} from './server-options.js';
export type { KbdChallenge, KbdPrompt } from './server-messages.js';

/** What this module needs of a server-role Transport (core/transport), so fakes can drive it. */
export interface AuthServerTransport {
  onServiceRequest: (name: string) => boolean;
  onMessage: (payload: Uint8Array, seq: number) => void;
  readonly sessionId: Uint8Array | null;
  readonly closed: Promise<SshError | null>;
  readonly isClosed: boolean;
  send(payload: Uint8Array): void;
  /** Sends DISCONNECT with error.reason and closes; `closed` resolves with error. */
  abort(error: SshError): void;
}

export interface ServerAuthResult<K> {
  readonly user: string;
  /** The method that completed a list. */
  readonly method: ServerAuthMethod;
  /** Every method that succeeded, in order (more than one with AuthenticationMethods). */
  readonly methods: readonly ServerAuthMethod[];
  /** Keys that authenticated, each with the publickey callback's value for it. */
  readonly keys: readonly AcceptedKey<K>[];
  /** Connection-layer messages received after success: give them to core/connection. */
  readonly pending: Uint8Array[];
}

/**
 * Serves user authentication on `t`; call it before the client's SERVICE_REQUEST can arrive
 * (right after creating the transport). Throws ConfigError at once for unusable options.
 * Rejects with the error that ended the connection: AuthTimeout, TooManyAuthFailures, a
 * ProtocolError (bad message, user name change), DisconnectedByPeer, ConnectionLost.
 */
export function serveUserAuth<K extends object | true = true>(
  t: AuthServerTransport,
  options: ServerAuthOptions<K>,
): Promise<ServerAuthResult<K>> {
  return new UserauthServer(t, options).result;
}

/** OpenSSH ends a connection after this many authentication requests, whatever they were. */
const MAX_MESSAGES = 1024;
/** Pipelined client messages waiting for a callback to answer; more is a flood. */
const MAX_QUEUED = 32;
const MAX_PENDING = 256;

type Phase<K> =
  | { readonly kind: 'awaitingService' }
  | { readonly kind: 'ready' }
  | { readonly kind: 'prompting'; readonly conv: Conversation; readonly expected: number }
  | { readonly kind: 'succeeded'; readonly result: ServerAuthResult<K> }
  | { readonly kind: 'ended' };

type Item =
  | { readonly kind: 'service' }
  | { readonly kind: 'message'; readonly payload: Uint8Array; readonly seq: number };

type Outcome<K> =
  | { readonly kind: 'success'; readonly method: ServerAuthMethod; readonly key?: AcceptedKey<K> }
  | { readonly kind: 'failure'; readonly detail: string }
  | { readonly kind: 'postponed' };

const failure = (detail: string): Outcome<never> => ({ kind: 'failure', detail });

class UserauthServer<K extends object | true> {
  readonly result: Promise<ServerAuthResult<K>>;
  private readonly cfg: ResolvedServerAuth;
  private readonly lists: MethodLists;
  private phase: Phase<K> = { kind: 'awaitingService' };
  private readonly inbox: SerialInbox<Item>;
  /** Fixed by the first request. */
  private user: string | null = null;
  private requests = 0;
  private messages = 0;
  private failures = 0;
  private readonly succeeded: ServerAuthMethod[] = [];
  private readonly keys: AcceptedKey<K>[] = [];
  private readonly usedKeys = new Set<string>();
  private readonly pending: Uint8Array[] = [];
  private readonly cancelGrace: () => void;
  private resolve: (r: ServerAuthResult<K>) => void = () => {};
  private reject: (e: Error) => void = () => {};

  constructor(
    private readonly t: AuthServerTransport,
    private readonly o: ServerAuthOptions<K>,
  ) {
    this.cfg = resolveServerAuth(o);
    this.lists = new MethodLists(this.cfg.lists);
    this.inbox = new SerialInbox(
      (item) => this.process(item),
      (e) => this.fail(e),
      MAX_QUEUED,
    );
    this.result = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    t.onServiceRequest = (name) => this.onServiceRequest(name);
    t.onMessage = (payload, seq) => this.onMessage(payload, seq);
    void t.closed.then((e) => this.onClosed(e));
    this.cancelGrace =
      this.cfg.loginGraceMs > 0
        ? this.cfg.setTimer(this.cfg.loginGraceMs, () => this.onGraceOver())
        : () => {};
  }

  private onServiceRequest(name: string): boolean {
    const open = this.phase.kind !== 'succeeded' && this.phase.kind !== 'ended';
    if (!open || name !== 'ssh-userauth') {
      this.fail(new ServiceNotAvailable(`service ${name} not available`, { service: name }));
      return false;
    }
    return this.enqueue({ kind: 'service' });
  }

  private onMessage(payload: Uint8Array, seq: number): void {
    if (this.phase.kind === 'succeeded') return this.afterSuccess(payload, seq);
    if (this.phase.kind === 'ended') return;
    this.enqueue({ kind: 'message', payload: payload.slice(), seq });
  }

  private enqueue(item: Item): boolean {
    if (this.inbox.push(item)) return true;
    this.fail(new ProtocolError('too many authentication messages in flight'));
    return false;
  }

  private async process(item: Item): Promise<void> {
    if (this.phase.kind === 'ended' || this.phase.kind === 'succeeded') return;
    if (item.kind === 'service') {
      if (this.phase.kind === 'awaitingService') this.phase = { kind: 'ready' };
      return;
    }
    if (++this.messages > MAX_MESSAGES) {
      throw new TooManyAuthFailures(`more than ${MAX_MESSAGES} authentication messages`);
    }
    const type = item.payload[0] ?? 0;
    const phase = this.phase;
    if (type === Msg.USERAUTH_REQUEST && phase.kind !== 'awaitingService') {
      return this.request(decodeUserauthRequest(item.payload));
    }
    if (type === Msg.USERAUTH_INFO_RESPONSE) {
      if (phase.kind !== 'prompting') {
        throw new ProtocolError('USERAUTH_INFO_RESPONSE without a keyboard-interactive prompt');
      }
      return this.infoResponse(phase.conv, phase.expected, item.payload);
    }
    this.unimplemented(item.seq);
  }

  private async request(req: UserauthRequest): Promise<void> {
    if (this.phase.kind === 'prompting') {
      this.phase.conv.abort(); // a new request abandons keyboard-interactive (RFC 4256 §3.4)
      this.phase = { kind: 'ready' };
    }
    if (this.user === null) {
      this.user = req.user;
      if (this.o.banner !== undefined) this.send(encodeBanner(this.o.banner));
    } else if (req.user !== this.user) {
      throw new ProtocolError('change of user name during authentication is not allowed', {
        from: this.user,
        to: req.user,
      });
    }
    if (req.service !== SERVICE_CONNECTION) {
      throw new ServiceNotAvailable(`service ${req.service} not available`);
    }
    const freeNone = this.requests++ === 0 && req.kind === 'none';
    const started = this.cfg.now();
    const outcome = await this.attempt(req.user, req);
    await this.conclude(req.method, outcome, started, freeNone);
  }

  private async attempt(user: string, req: UserauthRequest): Promise<Outcome<K>> {
    if (!this.lists.allows(req.method)) return failure(`method ${req.method} not allowed now`);
    if (!this.t.sessionId) throw new ProtocolError('user authentication before the key exchange');
    try {
      switch (req.kind) {
        case 'publickey':
          return await this.publickey(user, req);
        case 'password': {
          if (!this.o.password) return failure('password is off');
          const r = await checkPassword(user, req, this.o.password);
          return r.ok ? { kind: 'success', method: 'password' } : failure(r.detail);
        }
        case 'keyboard-interactive': {
          if (!this.o.keyboardInteractive) return failure('keyboard-interactive is off');
          const conv = new Conversation(user, req.submethods, this.o.keyboardInteractive);
          return this.kbdStep(conv, await conv.next());
        }
        default:
          return failure(`method ${req.method} not implemented`);
      }
    } catch (e) {
      // a callback threw: refuse, and say why in the log only
      return failure(`callback failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private async publickey(
    user: string,
    req: UserauthRequest & { kind: 'publickey' },
  ): Promise<Outcome<K>> {
    const policy = this.o.publickey;
    const sessionId = this.t.sessionId;
    if (!policy || !sessionId) return failure('publickey is off');
    const r = await checkPublickey(req, {
      user,
      sessionId,
      algorithms: this.cfg.pubkeyAlgorithms,
      used: this.usedKeys,
      policy,
    });
    if (r.kind === 'refused') return failure(r.detail);
    if (r.kind === 'accepted') return { kind: 'success', method: 'publickey', key: r.accepted };
    if (this.isOver()) return { kind: 'postponed' };
    this.send(encodePkOk(req.algorithm, req.blob));
    this.log({ user, method: 'publickey', outcome: 'pk-ok' });
    return { kind: 'postponed' };
  }

  private kbdStep(conv: Conversation, step: KbdStep): Outcome<K> {
    if (step.kind === 'done') {
      return step.ok
        ? { kind: 'success', method: 'keyboard-interactive' }
        : failure(step.detail ?? 'keyboard-interactive refused');
    }
    if (this.isOver()) return { kind: 'postponed' };
    this.send(encodeInfoRequest(step.challenge));
    this.phase = { kind: 'prompting', conv, expected: step.challenge.prompts.length };
    this.log({ user: this.user ?? '', method: 'keyboard-interactive', outcome: 'info-request' });
    return { kind: 'postponed' };
  }

  private async infoResponse(conv: Conversation, expected: number, payload: Uint8Array) {
    const answers = decodeInfoResponse(payload);
    if (answers.length !== expected) {
      throw new ProtocolError(
        `keyboard-interactive: ${answers.length} answers to ${expected} prompts`,
      );
    }
    this.phase = { kind: 'ready' };
    const started = this.cfg.now();
    conv.respond(answers);
    const outcome = this.kbdStep(conv, await conv.next());
    await this.conclude('keyboard-interactive', outcome, started, false);
  }

  /** Sends the answer to a finished attempt (RFC 4252 §5.1). */
  private async conclude(method: string, o: Outcome<K>, started: number, freeNone: boolean) {
    if (o.kind === 'postponed' || this.isOver()) return;
    const user = this.user ?? '';
    if (o.kind === 'success') {
      this.succeeded.push(o.method);
      if (o.key) {
        this.keys.push(o.key);
        this.usedKeys.add(blobId(o.key.key.blob));
      }
      if (this.lists.advance(o.method)) return this.succeed(user, o.method);
      this.log({ user, method, outcome: 'partial' });
      await this.failureDelay(started, user);
      if (!this.isOver()) this.send(encodeFailure(this.lists.allowed(), true));
      return;
    }
    if (!freeNone) this.failures++;
    this.log({ user, method, outcome: 'failure', detail: o.detail });
    if (this.failures >= this.cfg.maxAuthTries) {
      throw new TooManyAuthFailures('Too many authentication failures', {
        user,
        failures: this.failures,
      });
    }
    if (method !== 'none') await this.failureDelay(started, user);
    if (!this.isOver()) this.send(encodeFailure(this.lists.allowed(), false));
  }

  private succeed(user: string, method: ServerAuthMethod): void {
    const result: ServerAuthResult<K> = {
      user,
      method,
      methods: [...this.succeeded],
      keys: [...this.keys],
      pending: this.pending,
    };
    this.phase = { kind: 'succeeded', result };
    this.cancelGrace();
    this.send(encodeSuccess());
    this.log({ user, method, outcome: 'success' });
    // Requests pipelined behind the successful one: auth ones are ignored, the rest belong to
    // the next service (§5.1). Handled now, so `pending` is whole when the result resolves.
    for (const item of this.inbox.take()) {
      if (item.kind === 'message') this.afterSuccess(item.payload, item.seq);
    }
    this.resolve(result);
  }

  private afterSuccess(payload: Uint8Array, seq: number): void {
    const type = payload[0] ?? 0;
    if (type >= 50 && type <= 79) return; // RFC 4252 §5.1: ignored once authenticated
    if (type >= 80 && type <= 127) {
      if (this.pending.length >= MAX_PENDING) {
        return this.fail(
          new ProtocolError('too many messages before the connection layer started'),
        );
      }
      this.pending.push(payload.slice());
      return;
    }
    this.unimplemented(seq);
  }

  /** Waits out the failure delay (server-timing.ts) of a refusal. */
  private async failureDelay(started: number, user: string): Promise<void> {
    const ms = failureDelayMs(this.cfg.failureDelayMs, user, this.cfg.now() - started);
    if (ms > 0) await new Promise<void>((r) => this.cfg.setTimer(ms, r));
  }

  private onGraceOver(): void {
    if (this.isOver()) return;
    const s = Math.round(this.cfg.loginGraceMs / 100) / 10;
    this.fail(new AuthTimeout(`authentication not completed within ${s} s`));
  }

  private onClosed(e: SshError | null): void {
    const phase = this.phase;
    if (phase.kind === 'succeeded' || phase.kind === 'ended') return;
    this.phase = { kind: 'ended' };
    this.inbox.take();
    this.cancelGrace();
    const why = e ?? new ConnectionLost('connection closed during authentication');
    if (phase.kind === 'prompting') phase.conv.abort(why);
    this.reject(why);
  }

  private isOver(): boolean {
    return this.phase.kind === 'ended' || this.t.isClosed;
  }

  private send(payload: Uint8Array): void {
    if (!this.t.isClosed) this.t.send(payload);
  }

  private unimplemented(seq: number): void {
    this.send(new SshWriter(5).writeByte(Msg.UNIMPLEMENTED).writeUint32(seq).toBytes());
  }

  private fail(e: unknown): void {
    this.t.abort(e instanceof SshError ? e : new SshError(String(e), {}, { cause: e }));
  }

  private log(a: AuthAttempt): void {
    try {
      this.o.onAttempt?.(a);
    } catch {
      // a logger must not decide authentication
    }
  }
}
