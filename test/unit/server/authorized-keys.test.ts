// authorized_keys as sshd(8) reads it: keys made by ssh-keygen found by their blobs, every
// option and its effect on the restrictions, restrict and the flags that undo it, quoting,
// malformed lines skipped with a diagnostic while the good ones still work, and the lookup's
// refusals (expiry, from=, cert-authority, principals).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { AuthorizedKeysError } from '../../../core/errors.js';
import {
  authorizeKey,
  MAX_AUTHORIZED_KEYS_BYTES,
  parseAuthorizedKeys,
  quoteOptionValue,
  readAuthorizedKeysFile,
  type AuthorizedKeyEntry,
  type KeyRestrictions,
} from '../../../core/server/index.js';
import { SshWriter } from '../../../core/wire/writer.js';
import { keygen, keyText, tempDir, type GeneratedKey, type TempDir } from './support.js';

let d: TempDir;
let ed: GeneratedKey;
let ed2: GeneratedKey;
let ec256: GeneratedKey;
let ec384: GeneratedKey;
let ec521: GeneratedKey;
let rsa: GeneratedKey;

before(() => {
  d = tempDir('authkeys');
  ed = keygen(d, 'ed25519', 'ed25519');
  ed2 = keygen(d, 'ed25519-b', 'ed25519');
  ec256 = keygen(d, 'ecdsa256', 'ecdsa', 256);
  ec384 = keygen(d, 'ecdsa384', 'ecdsa', 384);
  ec521 = keygen(d, 'ecdsa521', 'ecdsa', 521);
  rsa = keygen(d, 'rsa', 'rsa');
});
after(() => d.cleanup());

const NOW = Date.UTC(2025, 5, 15, 12, 0, 0);
const ctx = { address: '192.0.2.10', now: NOW };

/** The restrictions of a one-line file `<options> <ed25519 key>`; fails on a diagnostic. */
function restrictionsOf(options: string): KeyRestrictions {
  const f = parseAuthorizedKeys(`${options} ${ed.line}`);
  assert.deepEqual(
    f.diagnostics.map((e) => e.message),
    [],
    `options ${options}`,
  );
  const entry = f.entries[0];
  assert.ok(entry, `options ${options}`);
  return entry.options.restrictions;
}

function only(options: string): AuthorizedKeyEntry {
  const f = parseAuthorizedKeys(`${options} ${ed.line}`);
  assert.deepEqual(f.diagnostics, []);
  assert.equal(f.entries.length, 1);
  return f.entries[0] as AuthorizedKeyEntry;
}

const ALL_ON = {
  pty: true,
  portForwarding: true,
  agentForwarding: true,
  x11Forwarding: true,
  userRc: true,
};
const ALL_OFF = {
  pty: false,
  portForwarding: false,
  agentForwarding: false,
  x11Forwarding: false,
  userRc: false,
};

test('keys made by ssh-keygen parse, with options and comments, and are found by blob', () => {
  const keys = [ed, ec256, ec384, ec521, rsa];
  const text = [
    '# authorized_keys for the tests',
    '',
    ed.line,
    `restrict,command="uptime" ${ec256.line}`,
    `  \tfrom="192.0.2.0/24"\t${ec384.line}`,
    `no-pty ${ec521.line}\r`,
    `${keyText(rsa)}`,
    '   # an indented comment',
  ].join('\n');
  const f = parseAuthorizedKeys(text, 'ak');
  assert.deepEqual(f.diagnostics, []);
  assert.deepEqual(
    f.entries.map((e) => [e.file, e.line, e.type, e.optionsText, e.comment]),
    [
      ['ak', 3, 'ssh-ed25519', '', 'keyway-ed25519'],
      ['ak', 4, 'ecdsa-sha2-nistp256', 'restrict,command="uptime"', 'keyway-ecdsa256'],
      ['ak', 5, 'ecdsa-sha2-nistp384', 'from="192.0.2.0/24"', 'keyway-ecdsa384'],
      ['ak', 6, 'ecdsa-sha2-nistp521', 'no-pty', 'keyway-ecdsa521'],
      ['ak', 7, 'ssh-rsa', '', ''],
    ],
  );
  for (const [i, k] of keys.entries()) {
    const entry = f.entries[i];
    assert.ok(entry?.publicKey, k.type);
    assert.deepEqual(entry.blob, k.blob);
    assert.deepEqual(entry.publicKey.blob, k.blob);
    const r = authorizeKey(f.entries, { type: k.type, blob: k.blob }, ctx);
    assert.equal(r.kind, 'authorized', k.type);
    assert.equal(r.kind === 'authorized' && r.entry.line, entry.line);
  }
  assert.equal(f.entries[3]?.options.restrictions.pty, false);
  assert.equal(f.entries[1]?.options.restrictions.command, 'uptime');

  const stranger = authorizeKey(f.entries, { type: ed2.type, blob: ed2.blob }, ctx);
  assert.deepEqual(stranger, {
    kind: 'refused',
    reason: 'not-listed',
    message: 'the key is not in authorized_keys',
    denials: [],
  });
  // The same blob under another type name is not the key.
  const retyped = authorizeKey(f.entries, { type: 'ssh-ed25519', blob: rsa.blob }, ctx);
  assert.equal(retyped.kind, 'refused');
});

test('a line without options permits everything', () => {
  const f = parseAuthorizedKeys(ed.line);
  assert.deepEqual(f.entries[0]?.options, {
    restrictions: {
      ...ALL_ON,
      permitOpen: [],
      permitListen: [],
      environment: [],
      noTouchRequired: false,
      verifyRequired: false,
    },
    certAuthority: false,
    restrict: false,
  });
});

test('every flag option, case-insensitive', () => {
  const cases: [string, Partial<KeyRestrictions>][] = [
    ['no-agent-forwarding', { agentForwarding: false }],
    ['no-port-forwarding', { portForwarding: false }],
    ['no-pty', { pty: false }],
    ['no-user-rc', { userRc: false }],
    ['no-X11-forwarding', { x11Forwarding: false }],
    ['NO-x11-FORWARDING', { x11Forwarding: false }],
    ['No-Pty', { pty: false }],
    ['restrict', ALL_OFF],
    ['RESTRICT', ALL_OFF],
    ['restrict,agent-forwarding', { ...ALL_OFF, agentForwarding: true }],
    ['restrict,port-forwarding', { ...ALL_OFF, portForwarding: true }],
    ['restrict,pty', { ...ALL_OFF, pty: true }],
    ['restrict,user-rc', { ...ALL_OFF, userRc: true }],
    ['restrict,X11-forwarding', { ...ALL_OFF, x11Forwarding: true }],
    ['restrict,x11-FORWARDING', { ...ALL_OFF, x11Forwarding: true }],
    ['no-touch-required', { noTouchRequired: true }],
    ['verify-required', { verifyRequired: true }],
    ['Verify-Required,NO-TOUCH-REQUIRED', { noTouchRequired: true, verifyRequired: true }],
    // Both FIDO flags take no- as well (sshd's opt_flag allows it), the last one counting.
    ['no-touch-required,touch-required', { noTouchRequired: false }],
    ['verify-required,no-verify-required', { verifyRequired: false }],
    ['restrict,no-touch-required', { ...ALL_OFF, noTouchRequired: true }],
  ];
  for (const [options, want] of cases) {
    const got = restrictionsOf(options);
    assert.deepEqual(
      { ...got },
      { ...got, ...want },
      `${options}: ${JSON.stringify(want)} in ${JSON.stringify(got)}`,
    );
    for (const k of Object.keys(ALL_ON) as (keyof typeof ALL_ON)[]) {
      if (!(k in want)) assert.equal(got[k], true, `${options} leaves ${k} on`);
    }
  }
  assert.equal(only('restrict').options.restrict, true);
  assert.equal(only('no-pty').options.restrict, false);
  assert.equal(only('cert-authority').options.certAuthority, true);
  assert.equal(only('Cert-Authority').options.certAuthority, true);
});

test('flags apply left to right: restrict after a flag wins, a flag after restrict undoes it', () => {
  assert.equal(restrictionsOf('pty,restrict').pty, false);
  assert.equal(restrictionsOf('restrict,pty').pty, true);
  assert.equal(restrictionsOf('no-pty,pty').pty, true);
  assert.equal(restrictionsOf('pty,no-pty').pty, false);
  assert.equal(restrictionsOf('restrict,pty,no-pty').pty, false);
  assert.deepEqual(
    {
      ...restrictionsOf(
        'restrict,port-forwarding,agent-forwarding,X11-forwarding,user-rc,pty,command="x"',
      ),
    },
    {
      ...ALL_ON,
      command: 'x',
      permitOpen: [],
      permitListen: [],
      environment: [],
      noTouchRequired: false,
      verifyRequired: false,
    },
  );
  // restrict leaves the value options alone.
  const r = restrictionsOf('permitopen="h:1",restrict,environment="A=b"');
  assert.deepEqual(r.permitOpen, [{ host: 'h', port: 1 }]);
  assert.deepEqual(r.environment, [{ name: 'A', value: 'b' }]);
});

test('command=: quoted, \\" is the only escape, commas and blanks inside are kept', () => {
  const cases: [string, string][] = [
    ['command="uptime"', 'uptime'],
    ['COMMAND="uptime"', 'uptime'],
    ['command=""', ''],
    ['command="echo a, b\tc"', 'echo a, b\tc'],
    ['command="echo \\"quoted\\""', 'echo "quoted"'],
    ['command="a\\b \\\\ \\n"', 'a\\b \\\\ \\n'],
    ['command="x\\\\"y"', 'x\\"y'],
    ['command="\'single\' #hash"', "'single' #hash"],
    ['command="ünïcödé ✓"', 'ünïcödé ✓'],
    ['no-pty,command="dump /home",no-port-forwarding', 'dump /home'],
  ];
  for (const [options, want] of cases) {
    const e = only(options);
    assert.equal(e.options.restrictions.command, want, options);
    assert.equal(e.optionsText, options);
    assert.equal(e.type, 'ssh-ed25519');
  }
  // The options end at the first blank outside quotes; what follows is the key.
  const e = only('command="a b",from="*"');
  assert.equal(e.options.from, '*');
});

test('environment=: accumulates in order, the first value of a name wins', () => {
  const r = restrictionsOf(
    'environment="A=1",environment="B=x=y",environment="A=2",Environment="C=",environment="_9z=q r"',
  );
  assert.deepEqual(r.environment, [
    { name: 'A', value: '1' },
    { name: 'B', value: 'x=y' },
    { name: 'C', value: '' },
    { name: '_9z', value: 'q r' },
  ]);
});

test('permitopen= and permitlisten=: host:port, [IPv6]:port, host/port, * ports, bare ports', () => {
  const r = restrictionsOf(
    [
      'permitopen="192.0.2.1:80"',
      'permitopen="[2001:db8::1]:443"',
      'permitopen="example.com:*"',
      'PermitOpen="host/22"',
      'permitopen="localhost:0080"',
      'permitlisten="localhost:8080"',
      'permitlisten="[::1]:22000"',
      'permitlisten="8080"',
      'permitlisten="*"',
      'permitlisten="*:*"',
      'permitlisten="0.0.0.0:65535"',
    ].join(','),
  );
  assert.deepEqual(r.permitOpen, [
    { host: '192.0.2.1', port: 80 },
    { host: '2001:db8::1', port: 443 },
    { host: 'example.com', port: '*' },
    { host: 'host', port: 22 },
    { host: 'localhost', port: 80 },
  ]);
  assert.deepEqual(r.permitListen, [
    { host: 'localhost', port: 8080 },
    { host: '::1', port: 22000 },
    { host: '*', port: 8080 },
    { host: '*', port: '*' },
    { host: '*', port: '*' },
    { host: '0.0.0.0', port: 65535 },
  ]);
});

test('from=, principals=, expiry-time= and tunnel= are kept for the lookup', (t) => {
  const saved = process.env.TZ;
  t.after(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });
  process.env.TZ = 'UTC';
  const e = only(
    'cert-authority,principals="alice,bob",from="10.0.0.0/8,!10.1.*",expiry-time="20300101",tunnel="5"',
  );
  assert.equal(e.options.certAuthority, true);
  assert.equal(e.options.principals, 'alice,bob');
  assert.equal(e.options.from, '10.0.0.0/8,!10.1.*');
  assert.equal(e.options.expiresAt, Date.UTC(2030, 0, 1));
  assert.equal(e.options.restrictions.tunnel, 5);
  assert.equal(restrictionsOf('tunnel="any"').tunnel, 'any');
  assert.equal(restrictionsOf('tunnel="ANY"').tunnel, 'any');
  assert.equal(restrictionsOf('tunnel="2147483645"').tunnel, 2147483645);
  assert.equal(restrictionsOf('tunnel="0",tunnel="7"').tunnel, 7);
  // Of several expiry-times the earliest counts.
  assert.equal(
    only('expiry-time="20300101Z",expiry-time="20290101Z",expiry-time="20310101Z"').options
      .expiresAt,
    Date.UTC(2029, 0, 1),
  );
});

test('malformed lines are skipped with a diagnostic; the good lines around them still work', () => {
  const okLine = (n: number): string => `command="ok${n}" ${ed.line}`;
  const skSk = new SshWriter()
    .writeString('sk-ssh-ed25519@openssh.com')
    .writeString(new Uint8Array(32).fill(7))
    .writeString('ssh:')
    .toBytes();
  const fakeType = new SshWriter().writeString('ssh-foo').writeString('x').toBytes();
  const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
  const edB64 = b64(ed.blob);
  const bad: [string, string, string][] = [
    // [line, kind, a piece of the detail]
    ['bogus ' + ed.line, 'option', 'unknown option "bogus"'],
    ['no-pty="x" ' + ed.line, 'option', 'no-pty takes no value'],
    ['command=uptime ' + ed.line, 'option', 'double quotes'],
    ['command="uptime ' + ed.line, 'quote', 'no closing quote'],
    ['command="a\\" ' + ed.line, 'quote', 'no closing quote'],
    ['no-pty, ' + ed.line, 'option', 'empty option'],
    ['no-pty,,pty ' + ed.line, 'option', 'empty option'],
    [',no-pty ' + ed.line, 'option', 'empty option'],
    ['command="x"y ' + ed.line, 'option', 'unexpected "y"'],
    ['command="a",command="b" ' + ed.line, 'option', 'more than once'],
    ['from="a",from="b" ' + ed.line, 'option', 'more than once'],
    ['principals="a",principals="b" ' + ed.line, 'option', 'more than once'],
    ['from="" ' + ed.line, 'option', 'empty pattern'],
    ['from="10.0.0.0/8,,x" ' + ed.line, 'option', 'empty pattern'],
    ['from="!" ' + ed.line, 'option', 'empty pattern'],
    ['from="10.1.0.0/8" ' + ed.line, 'option', 'bits set'],
    ['from="10.0.0.0/33" ' + ed.line, 'option', 'too long'],
    ['from="2001:db8::1/64" ' + ed.line, 'option', 'bits set'],
    ['expiry-time="2025" ' + ed.line, 'option', 'expiry-time'],
    ['expiry-time="20251301" ' + ed.line, 'option', 'expiry-time'],
    ['expiry-time="19691231Z" ' + ed.line, 'option', 'expiry-time'],
    ['environment="NOEQUALS" ' + ed.line, 'option', 'NAME=value'],
    ['environment="A-B=c" ' + ed.line, 'option', 'NAME=value'],
    ['environment="=c" ' + ed.line, 'option', 'NAME=value'],
    ['permitopen="host" ' + ed.line, 'option', 'host:port'],
    ['permitopen="host:0" ' + ed.line, 'option', 'invalid port'],
    ['permitopen="host:65536" ' + ed.line, 'option', 'invalid port'],
    ['permitopen="host:http" ' + ed.line, 'option', 'invalid port'],
    ['permitopen=":80" ' + ed.line, 'option', 'no host'],
    ['permitopen="[::1]" ' + ed.line, 'option', '[address]:port'],
    ['permitopen="[::1:22" ' + ed.line, 'option', '"]"'],
    ['permitlisten="[::1]x22" ' + ed.line, 'option', '[address]:port'],
    ['tunnel="x" ' + ed.line, 'option', 'tun device'],
    ['tunnel="-1" ' + ed.line, 'option', 'tun device'],
    ['tunnel="2147483646" ' + ed.line, 'option', 'tun device'],
    ['restricted ' + ed.line, 'option', 'unknown option "restricted"'],
    ['no-restrict ' + ed.line, 'option', 'unknown option'],
    ['no-cert-authority ' + ed.line, 'option', 'unknown option'],
    ['no-no-pty ' + ed.line, 'option', 'unknown option'],
    ['command ' + ed.line, 'option', 'unknown option "command"'],
    ['ssh-ed25519 AAAA!!!! comment', 'base64', 'not base64'],
    ['ssh-ed25519 ' + edB64.slice(0, -1), 'base64', 'not base64'],
    ['ssh-ed25519 ' + edB64.slice(0, 10) + '*' + edB64.slice(11), 'base64', 'not base64'],
    ['ssh-ed25519 ' + edB64.slice(0, 12) + '-_' + edB64.slice(14), 'base64', 'not base64'],
    ['no-pty ssh-ed25519', 'missing-key', 'no key data'],
    ['no-pty', 'missing-key', 'no key'],
    ['no-pty   # a comment', 'missing-key', 'no key'],
    [`ssh-foo ${b64(fakeType)} c`, 'key-type', 'unknown key type "ssh-foo"'],
    [`no-pty ssh-foo ${b64(fakeType)}`, 'key-type', 'unknown key type "ssh-foo"'],
    [`ssh-dss ${edB64}`, 'key-type', 'DSA'],
    ['1024 35 1234567 old-rsa1-key', 'key-type', 'SSH-1'],
    [`ssh-rsa ${edB64}`, 'key', 'ssh-ed25519'],
    [`ssh-ed25519 ${b64(ed.blob.subarray(0, ed.blob.length - 1))}`, 'key', 'ssh-ed25519 key'],
    [`sk-ecdsa-sha2-nistp256@openssh.com ${b64(skSk)}`, 'key', 'sk-ssh-ed25519@openssh.com'],
  ];
  const lines: string[] = [];
  const want: [number, string, string][] = [];
  lines.push(okLine(1));
  for (const [line, kind, detail] of bad) {
    lines.push(line);
    want.push([lines.length, kind, detail]);
  }
  lines.push(`restrict sk-ssh-ed25519@openssh.com ${b64(skSk)} fido`);
  lines.push(okLine(2));
  const f = parseAuthorizedKeys(lines.join('\n'), 'mixed');

  assert.equal(f.diagnostics.length, want.length, f.diagnostics.map((e) => e.message).join('\n'));
  f.diagnostics.forEach((e, i) => {
    const [line, kind, detail] = want[i] ?? [0, '', ''];
    assert.ok(e instanceof AuthorizedKeysError);
    assert.equal(e.code, 'AUTHORIZED_KEYS_ERROR');
    assert.equal(e.name, 'AuthorizedKeysError');
    assert.equal(e.file, 'mixed');
    assert.equal(e.line, line, e.message);
    assert.equal(e.kind, kind, `${lines[line - 1]}: ${e.message}`);
    assert.ok(e.detail.includes(detail), `${e.message} should say ${detail}`);
    assert.equal(e.message, `mixed:${line}: ${e.detail}`);
    assert.deepEqual(e.details, { kind, file: 'mixed', line, detail: e.detail });
  });

  // The good lines: the first ed25519 line authorizes, the FIDO key is kept by blob.
  assert.deepEqual(
    f.entries.map((e) => [e.line, e.type]),
    [
      [1, 'ssh-ed25519'],
      [lines.length - 1, 'sk-ssh-ed25519@openssh.com'],
      [lines.length, 'ssh-ed25519'],
    ],
  );
  const r = authorizeKey(f.entries, ed, ctx);
  assert.equal(r.kind === 'authorized' && r.restrictions.command, 'ok1');
  const sk = f.entries[1];
  assert.equal(sk?.publicKey, undefined);
  assert.equal(sk?.comment, 'fido');
  const bySk = authorizeKey(f.entries, { type: 'sk-ssh-ed25519@openssh.com', blob: skSk }, ctx);
  assert.equal(bySk.kind === 'authorized' && bySk.entry.line, lines.length - 1);
});

test('lines that are not UTF-8 are skipped; comments in any encoding are fine', () => {
  const bytes = Buffer.concat([
    Buffer.from('# caf\xe9 latin-1 comment\n', 'latin1'),
    Buffer.from(`command="caf\xe9" ${ed.line}\n`, 'latin1'),
    Buffer.from(`command="café" ${ed.line}\r\n`, 'utf8'),
  ]);
  const f = parseAuthorizedKeys(new Uint8Array(bytes), 'bytes');
  assert.deepEqual(
    f.diagnostics.map((e) => [e.line, e.kind]),
    [[2, 'encoding']],
  );
  assert.deepEqual(
    f.entries.map((e) => [e.line, e.options.restrictions.command]),
    [[3, 'café']],
  );
});

test('lookup: expiry-time in the past refuses, in the future admits; Z is UTC, else local', () => {
  const saved = process.env.TZ;
  process.env.TZ = 'Asia/Kolkata'; // +05:30 all year: local midnight is 18:30 UTC the day before
  try {
    const text = [
      `expiry-time="20250101",command="local" ${ed.line}`,
      `expiry-time="20250101Z",command="utc" ${ed.line}`,
    ].join('\n');
    const f = parseAuthorizedKeys(text, 'ak');
    assert.deepEqual(f.diagnostics, []);
    assert.equal(f.entries[0]?.options.expiresAt, Date.UTC(2024, 11, 31, 18, 30));
    assert.equal(f.entries[1]?.options.expiresAt, Date.UTC(2025, 0, 1));
    const at = (now: number) => authorizeKey(f.entries, ed, { address: '192.0.2.1', now });

    const before = at(Date.UTC(2024, 11, 31, 12));
    assert.equal(before.kind === 'authorized' && before.restrictions.command, 'local');

    // Between the two: the local one has expired, the UTC one has not.
    const between = at(Date.UTC(2024, 11, 31, 20));
    assert.equal(between.kind === 'authorized' && between.restrictions.command, 'utc');
    assert.deepEqual(between.denials, [
      {
        file: 'ak',
        line: 1,
        reason: 'expired',
        message: 'the line expired at 2024-12-31T18:30:00.000Z',
      },
    ]);

    // sshd refuses once the expiry second is over (valid_before < now), not during it.
    const expiry = Date.UTC(2025, 0, 1);
    assert.equal(at(expiry).kind, 'authorized');
    assert.equal(at(expiry + 999).kind, 'authorized');
    const afterBoth = at(expiry + 1000);
    assert.equal(afterBoth.kind, 'refused');
    assert.equal(afterBoth.kind === 'refused' && afterBoth.reason, 'denied');
    assert.deepEqual(
      afterBoth.denials.map((x) => [x.line, x.reason]),
      [
        [1, 'expired'],
        [2, 'expired'],
      ],
    );
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});

test('lookup: from= with CIDR (IPv4, IPv6), globs, negation and host names', () => {
  const cases: [string, { address: string; hostName?: string }, boolean][] = [
    ['192.168.0.0/16', { address: '192.168.44.5' }, true],
    ['192.168.0.0/16', { address: '192.169.0.1' }, false],
    ['192.168.0.0/16', { address: '::ffff:192.168.1.1' }, true], // a dual-stack socket's form
    ['10.0.0.1', { address: '10.0.0.1' }, true],
    ['10.0.0.1/32', { address: '10.0.0.2' }, false],
    ['0.0.0.0/0', { address: '203.0.113.9' }, true],
    ['0.0.0.0/0', { address: '::1' }, false],
    ['::1/128', { address: '::1' }, true],
    ['::1', { address: '::1' }, true],
    ['::1/128', { address: '127.0.0.1' }, false],
    ['2001:db8::/32', { address: '2001:db8:1234::5' }, true],
    ['2001:db8::/32', { address: '2001:db9::5' }, false],
    ['2001:DB8::/32', { address: '2001:db8::1' }, true],
    ['::/0', { address: 'fe80::1' }, true],
    ['fe80::/10', { address: 'fe80::1%eth0' }, true],
    ['192.168.*', { address: '192.168.3.4' }, true],
    ['192.168.?.4', { address: '192.168.3.4' }, true],
    ['192.168.?.4', { address: '192.168.33.4' }, false],
    ['10.0.0.0/8,!10.1.0.0/16', { address: '10.2.0.1' }, true],
    ['10.0.0.0/8,!10.1.0.0/16', { address: '10.1.0.1' }, false],
    ['!10.1.0.0/16,10.0.0.0/8', { address: '10.1.0.1' }, false],
    ['!10.1.0.0/16', { address: '10.2.0.1' }, false], // a negation alone admits nobody
    ['!host1,!host2', { address: '10.0.0.3', hostName: 'host3' }, false],
    ['*.example.com', { address: '198.51.100.7', hostName: 'ws1.example.com' }, true],
    ['*.example.com', { address: '198.51.100.7', hostName: 'WS1.Example.COM' }, true],
    ['*.EXAMPLE.com', { address: '198.51.100.7', hostName: 'ws1.example.com' }, true],
    ['*.example.com', { address: '198.51.100.7' }, false],
    ['*.example.com', { address: '198.51.100.7', hostName: 'example.com' }, false],
    [
      '!*.dialup.example.com,*.example.com',
      { address: '198.51.100.7', hostName: 'a.example.com' },
      true,
    ],
    [
      '!*.dialup.example.com,*.example.com',
      { address: '198.51.100.7', hostName: 'x.dialup.example.com' },
      false,
    ],
    // The address may be denied while the name is listed, and the other way round.
    [
      '!198.51.100.0/24,*.example.com',
      { address: '198.51.100.7', hostName: 'a.example.com' },
      false,
    ],
    [
      '198.51.100.0/24,!bad.example.com',
      { address: '198.51.100.7', hostName: 'bad.example.com' },
      false,
    ],
    [
      '198.51.100.0/24,!bad.example.com',
      { address: '198.51.100.7', hostName: 'ok.example.com' },
      true,
    ],
    ['ws1.example.com,192.0.2.1', { address: '198.51.100.7', hostName: 'ws1.example.com' }, true],
  ];
  for (const [from, who, admitted] of cases) {
    const f = parseAuthorizedKeys(`from="${from}" ${ed.line}`);
    assert.deepEqual(f.diagnostics, [], from);
    const r = authorizeKey(f.entries, ed, { ...who, now: NOW });
    assert.equal(r.kind, admitted ? 'authorized' : 'refused', `${from} vs ${JSON.stringify(who)}`);
    if (r.kind === 'refused') {
      assert.equal(r.reason, 'denied');
      assert.equal(r.denials[0]?.reason, 'from');
      assert.match(r.message, /is not permitted by from=/);
    }
  }
});

test('lookup: cert-authority and principals lines do not authorize the key; a later line does', () => {
  const text = [
    `cert-authority,principals="alice" ${ed.line}`,
    `principals="alice" ${ed.line}`,
    `restrict ${ed.line}`,
    `cert-authority ${ed2.line}`,
  ].join('\n');
  const f = parseAuthorizedKeys(text, 'ak');
  assert.deepEqual(f.diagnostics, []);
  const r = authorizeKey(f.entries, ed, ctx);
  assert.equal(r.kind, 'authorized');
  assert.equal(r.kind === 'authorized' && r.entry.line, 3);
  assert.equal(r.kind === 'authorized' && r.restrictions.pty, false);
  assert.deepEqual(
    r.denials.map((x) => [x.line, x.reason]),
    [
      [1, 'cert-authority'],
      [2, 'principals-without-ca'],
    ],
  );
  const ca = authorizeKey(f.entries, ed2, ctx);
  assert.equal(ca.kind === 'refused' && ca.reason, 'denied');
  assert.equal(ca.kind === 'refused' && ca.denials[0]?.reason, 'cert-authority');

  // A certificate is not judged here yet (a later issue), whatever the file holds.
  const cert = authorizeKey(
    f.entries,
    { type: 'ssh-ed25519-cert-v01@openssh.com', blob: ed.blob },
    ctx,
  );
  assert.equal(cert.kind === 'refused' && cert.reason, 'certificate');
});

test('lookup: the first line that admits the key decides', () => {
  const text = [
    `from="203.0.113.0/24",command="first" ${ed.line}`,
    `command="second" ${ed.line}`,
    `command="third" ${ed.line}`,
  ].join('\n');
  const f = parseAuthorizedKeys(text, 'ak');
  const inside = authorizeKey(f.entries, ed, { address: '203.0.113.5', now: NOW });
  assert.equal(inside.kind === 'authorized' && inside.restrictions.command, 'first');
  assert.deepEqual(inside.kind === 'authorized' && inside.denials, []);
  const outside = authorizeKey(f.entries, ed, { address: '198.51.100.5', now: NOW });
  assert.equal(outside.kind === 'authorized' && outside.restrictions.command, 'second');
  assert.deepEqual(
    outside.denials.map((x) => [x.file, x.line, x.reason]),
    [['ak', 1, 'from']],
  );
  // Entries of several files are looked up in the order given.
  const other = parseAuthorizedKeys(`command="other" ${ed.line}`, 'ak2');
  const both = authorizeKey([...other.entries, ...f.entries], ed, ctx);
  assert.equal(both.kind === 'authorized' && both.entry.file, 'ak2');
});

test('readAuthorizedKeysFile: missing is empty, unreadable or too large says so at line 0', async () => {
  assert.deepEqual(await readAuthorizedKeysFile(d.path('nope')), {
    file: d.path('nope'),
    entries: [],
    diagnostics: [],
  });
  const dir = d.path('a-directory');
  mkdirSync(dir);
  const asDir = await readAuthorizedKeysFile(dir);
  assert.deepEqual(
    asDir.diagnostics.map((e) => [e.line, e.kind]),
    [[0, 'file']],
  );
  assert.match(asDir.diagnostics[0]?.message ?? '', /cannot read/);

  const big = d.path('big');
  writeFileSync(big, '');
  truncateSync(big, MAX_AUTHORIZED_KEYS_BYTES + 1);
  const tooBig = await readAuthorizedKeysFile(big);
  assert.equal(tooBig.entries.length, 0);
  assert.match(tooBig.diagnostics[0]?.message ?? '', /larger than/);

  const file = d.path('authorized_keys');
  writeFileSync(file, `# keys\n${ed.line}\nbroken line\nno-pty ${rsa.line}\n`);
  const read = await readAuthorizedKeysFile(file);
  assert.deepEqual(
    read.entries.map((e) => [e.file, e.line, e.type]),
    [
      [file, 2, 'ssh-ed25519'],
      [file, 4, 'ssh-rsa'],
    ],
  );
  assert.deepEqual(
    read.diagnostics.map((e) => [e.file, e.line, e.kind]),
    [[file, 3, 'option']],
  );
});

test('property: a quoted value reads back as written', () => {
  const value = fc
    .string({ unit: fc.constantFrom('a', ' ', '"', '\\', ',', '\t', '=', '#', 'é', 'n') })
    .filter((s) => !s.endsWith('\\'));
  fc.assert(
    fc.property(value, value, (cmd, env) => {
      const line = `command=${quoteOptionValue(cmd)},environment=${quoteOptionValue(`V=${env}`)},principals=${quoteOptionValue(cmd)},cert-authority ${ed.line}`;
      const f = parseAuthorizedKeys(line);
      assert.deepEqual(f.diagnostics, []);
      const o = f.entries[0]?.options;
      assert.equal(o?.restrictions.command, cmd);
      assert.deepEqual(o?.restrictions.environment, [{ name: 'V', value: env }]);
      assert.equal(o?.principals, cmd);
    }),
    { numRuns: 300 },
  );
  assert.throws(() => quoteOptionValue('ends in \\'), RangeError);
  assert.throws(() => quoteOptionValue('two\nlines'), RangeError);
});

test('property: any text parses without throwing, one entry or diagnostic per key line', () => {
  let entries = 0;
  const piece = fc.constantFrom(
    'no-pty',
    'restrict',
    ',',
    '"',
    '\\"',
    '=',
    ' ',
    '\t',
    'command=',
    'from="10.0.0.0/8"',
    'permitopen="h:1"',
    'expiry-time="20300101"',
    'ssh-ed25519',
    'ssh-rsa',
    'AAAA',
    '#',
    '\r',
    keyText(ed),
    'x',
  );
  const soup = fc.array(piece, { maxLength: 8 }).map((p) => p.join(''));
  // Half the lines end in a real key, so that option soup in front of one is tried too.
  const line = fc.oneof(
    soup,
    soup.map((options) => `${options} ${ed.line}`),
  );
  fc.assert(
    fc.property(fc.array(line, { maxLength: 6 }), (lines) => {
      const f = parseAuthorizedKeys(lines.join('\n'));
      const keyLines = lines.filter((l) => {
        const s = l.replace(/\r$/, '').replace(/^[ \t]+/, '');
        return s !== '' && !s.startsWith('#');
      });
      assert.equal(f.entries.length + f.diagnostics.length, keyLines.length);
      for (const e of f.entries) assert.deepEqual(e.blob, ed.blob);
      entries += f.entries.length;
    }),
    { numRuns: 500 },
  );
  assert.ok(entries > 100, `only ${entries} lines parsed as keys`);
});
