/**
 * -L / -R / -D specifications parsed as OpenSSH's parse_forward reads them: bind addresses,
 * [IPv6] brackets, Unix socket paths, remote SOCKS, and the malformed ones refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseDynamicForward,
  parseLocalForward,
  parseRemoteForward,
} from '../../../core/config/forward-spec.js';
import { ConfigError } from '../../../core/errors.js';

const tcp = (host: string | null, port: number) => ({ kind: 'tcp', host, port });
const unix = (path: string) => ({ kind: 'unix', path });

test('-L forms: port:host:port, bind:port:host:port, [v6], sockets', () => {
  assert.deepEqual(parseLocalForward('8080:example.org:80'), {
    type: 'local',
    listen: tcp(null, 8080),
    connect: tcp('example.org', 80),
  });
  assert.deepEqual(parseLocalForward('*:8080:10.0.0.1:80').listen, tcp('*', 8080));
  assert.deepEqual(parseLocalForward(':8080:h:80').listen, tcp('', 8080));
  assert.deepEqual(parseLocalForward('[::1]:8080:[fe80::1]:22'), {
    type: 'local',
    listen: tcp('::1', 8080),
    connect: tcp('fe80::1', 22),
  });
  assert.deepEqual(parseLocalForward('8080:/run/app.sock'), {
    type: 'local',
    listen: tcp(null, 8080),
    connect: unix('/run/app.sock'),
  });
  assert.deepEqual(
    parseLocalForward('127.0.0.1:8080:/run/app.sock').connect,
    unix('/run/app.sock'),
  );
  assert.deepEqual(parseLocalForward('/tmp/l.sock:h:22').listen, unix('/tmp/l.sock'));
  assert.deepEqual(parseLocalForward('/tmp/l.sock:/tmp/r.sock'), {
    type: 'local',
    listen: unix('/tmp/l.sock'),
    connect: unix('/tmp/r.sock'),
  });
  assert.deepEqual(parseLocalForward('8080:a\\:b:80').connect, tcp('a:b', 80));
});

test('-R forms: with a target, with port 0, and with none (remote SOCKS)', () => {
  assert.deepEqual(parseRemoteForward('0:localhost:22'), {
    type: 'remote',
    listen: tcp(null, 0),
    connect: tcp('localhost', 22),
  });
  assert.deepEqual(parseRemoteForward('9000'), {
    type: 'remote',
    listen: tcp(null, 9000),
    connect: null,
  });
  assert.deepEqual(parseRemoteForward('127.0.0.1:9000'), {
    type: 'remote',
    listen: tcp('127.0.0.1', 9000),
    connect: null,
  });
  assert.deepEqual(parseRemoteForward('9000:/run/local.sock').connect, unix('/run/local.sock'));
  assert.deepEqual(parseRemoteForward('*:9000:h:1').listen, tcp('*', 9000));
});

test('-D forms', () => {
  assert.deepEqual(parseDynamicForward('1080'), { type: 'dynamic', listen: tcp(null, 1080) });
  assert.deepEqual(parseDynamicForward('0.0.0.0:1080').listen, tcp('0.0.0.0', 1080));
  assert.deepEqual(parseDynamicForward('[::1]:1080').listen, tcp('::1', 1080));
});

test('ports as ssh reads them (a2port): tcp service names and leading zeros', () => {
  // /etc/services comes with Debian's netbase (scripts/system-deps.sh)
  assert.deepEqual(parseLocalForward('ssh:localhost:http'), {
    type: 'local',
    listen: tcp(null, 22),
    connect: tcp('localhost', 80),
  });
  assert.deepEqual(parseLocalForward('00080:h:1').listen, tcp(null, 80));
  assert.deepEqual(parseRemoteForward('0:h:00022').connect, tcp('h', 22));
  assert.deepEqual(parseDynamicForward('127.0.0.1:socks').listen, tcp('127.0.0.1', 1080));
  // strtonum(3): leading blanks and a sign, as ssh takes them
  assert.deepEqual(parseLocalForward('8080:h:+80').connect, tcp('h', 80));
  assert.deepEqual(parseLocalForward('8080:h: 80').connect, tcp('h', 80));
  for (const spec of ['nosuchservice:h:80', '8080:h:nosuchservice', '8080:h:80 ', '8080:h:-0']) {
    assert.throws(() => parseLocalForward(spec), /Bad local forwarding specification/, spec);
  }
});

test('malformed specifications are ConfigErrors worded as ssh words them', () => {
  const bad: [(s: string) => unknown, string, string][] = [
    [parseLocalForward, '8080', 'local'],
    [parseLocalForward, '0:h:80', 'local'], // -L port 0 is refused, as ssh does
    [parseLocalForward, '8080:h:0', 'local'],
    [parseLocalForward, '70000:h:80', 'local'],
    [parseLocalForward, 'x:h:80', 'local'],
    [parseLocalForward, '1:2:3:4:5', 'local'],
    [parseLocalForward, '8080::80', 'local'],
    [parseLocalForward, '[::1:8080:h:80', 'local'],
    [parseLocalForward, '', 'local'],
    [parseLocalForward, `8080:${'a'.repeat(1100)}:80`, 'local'],
    [parseLocalForward, `8080:/${'a'.repeat(200)}`, 'local'],
    [parseRemoteForward, 'abc', 'remote'],
    [parseRemoteForward, '1:2:3:4:5', 'remote'],
    [parseRemoteForward, '9000:h:0', 'remote'],
    [parseDynamicForward, '1080:h:80', 'dynamic'],
    [parseDynamicForward, '0', 'dynamic'],
    [parseDynamicForward, '-1', 'dynamic'],
  ];
  for (const [parse, spec, kind] of bad) {
    assert.throws(
      () => parse(spec),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message.startsWith(`Bad ${kind} forwarding specification '${spec}'`),
      spec,
    );
  }
});

test('-R with a socket path for the server to listen on (streamlocal-forward)', () => {
  assert.deepEqual(parseRemoteForward('/tmp/r.sock:h:22'), {
    type: 'remote',
    listen: unix('/tmp/r.sock'),
    connect: tcp('h', 22),
  });
  assert.deepEqual(parseRemoteForward('/tmp/r.sock:/run/local.sock'), {
    type: 'remote',
    listen: unix('/tmp/r.sock'),
    connect: unix('/run/local.sock'),
  });
  assert.deepEqual(parseRemoteForward('/tmp/r.sock'), {
    type: 'remote',
    listen: unix('/tmp/r.sock'),
    connect: null,
  });
  for (const spec of ['/tmp/r.sock:h:/x', '/tmp/r.sock:h:0', `/${'a'.repeat(200)}:h:22`]) {
    assert.throws(() => parseRemoteForward(spec), /Bad remote forwarding specification/, spec);
  }
});
