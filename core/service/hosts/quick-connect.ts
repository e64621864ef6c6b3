/**
 * The quick-connect box: `[user@]host[:port]`, as a person types a destination for ssh(1).
 * IPv6 addresses go in brackets when a port follows (`[::1]:2222`, as in known_hosts and
 * ssh://); a bare IPv6 address (two or more colons) is a host alone. The user is everything
 * before the last '@' (user names may contain '@'). Bad text is an InvalidArgumentError naming
 * what is wrong.
 */
import type { QuickTarget } from '../api/contract.js';
import { hostSchema, portSchema, userSchema } from '../api/schemas.js';
import { InvalidArgumentError } from '../errors.js';

function fail(text: string, why: string): never {
  throw new InvalidArgumentError(`quick connect "${text}": ${why}`, { text, why });
}

export function parseQuickConnect(input: string): QuickTarget {
  const text = input.trim();
  if (text === '') fail(input, 'type [user@]host[:port]');
  const at = text.lastIndexOf('@');
  const user = at >= 0 ? text.slice(0, at) : undefined;
  const rest = at >= 0 ? text.slice(at + 1) : text;
  let host: string;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) fail(input, 'unbalanced [');
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) fail(input, `unexpected "${after}" after ]`);
    portText = after === '' ? undefined : after.slice(1);
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    [host, portText] = rest.split(':') as [string, string];
  } else {
    host = rest;
  }
  if (user !== undefined && !userSchema.safeParse(user).success) fail(input, 'bad user name');
  if (!hostSchema.safeParse(host).success) fail(input, 'bad host name');
  let port: number | undefined;
  if (portText !== undefined) {
    port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!portSchema.safeParse(port).success) fail(input, `bad port "${portText}"`);
  }
  return {
    host,
    ...(port !== undefined ? { port } : {}),
    ...(user !== undefined ? { user } : {}),
  };
}
