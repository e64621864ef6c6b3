/**
 * The failure delay of user authentication, as sshd's auth_failure_delay does it: a refusal
 * is answered no sooner than a base time plus a per-user part after its request arrived, so
 * that how long a check took (for a user that exists or not, a key that is known or not) does
 * not show. The per-user part is stable for the life of the process, keyed by a random secret,
 * so averaging many attempts does not wash it out.
 */
import { hash } from '../crypto/hash.js';
import { randomBytes } from '../crypto/random.js';
import { utf8 } from '../wire/bytes.js';

/** Past this, the check was slow anyway: answer at once. */
const MAX_DELAY_MS = 5000;

let timingSecret: Uint8Array | null = null;

/** 0–4.2 ms, fixed per user name. */
export function userDelayMs(user: string): number {
  timingSecret ??= randomBytes(32);
  const h = hash('sha512', timingSecret, utf8(user));
  const n = ((h[0] ?? 0) << 24) | ((h[1] ?? 0) << 16) | ((h[2] ?? 0) << 8) | (h[3] ?? 0);
  return ((n >>> 0) / 2 ** 32) * 4.2;
}

/**
 * How much longer to wait before answering a refusal of `user` whose request arrived
 * `elapsed` ms ago: the target is baseMs plus the user's part, doubled until it lies beyond
 * `elapsed`. 0 when baseMs is 0 or the check took longer than 5 s.
 */
export function failureDelayMs(baseMs: number, user: string, elapsed: number): number {
  if (baseMs <= 0 || elapsed > MAX_DELAY_MS) return 0;
  let target = baseMs + userDelayMs(user);
  while (target < elapsed) target *= 2;
  return target - elapsed;
}
