// from= address patterns: addresses read as getaddrinfo(AI_NUMERICHOST) reads them, CIDR
// networks checked against a BigInt reference, and pattern lists judged as OpenSSH's
// addr_match_list judges them — checked against sshd itself through `sshd -T -C` and a
// `Match Address` block, which uses the same function.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { isIPv6 } from 'node:net';
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  addressInNetwork,
  checkAddressPatternList,
  matchAddressList,
  matchHostAndAddress,
  normalizeClientAddress,
  parseCidrPattern,
  parseIpAddress,
  parseIpv4,
  parseIpv6,
  type IpAddress,
} from '../../../core/server/index.js';
import { run, tempDir, tryRun, type TempDir } from './support.js';

const SSHD = '/usr/sbin/sshd';

test('IPv4 in the forms glibc getaddrinfo(AI_NUMERICHOST) takes (inet_aton)', () => {
  // Each result as Python's socket.getaddrinfo(h, None, flags=AI_NUMERICHOST) gives it on glibc.
  const cases: [string, string | undefined][] = [
    ['192.0.2.1', '192.0.2.1'],
    ['127.1', '127.0.0.1'],
    ['10', '0.0.0.10'],
    ['1.2.3', '1.2.0.3'],
    ['010.0.0.1', '8.0.0.1'],
    ['0x7f.0.0.1', '127.0.0.1'],
    ['1.0x10.3', '1.16.0.3'],
    ['1.2.3.04', '1.2.3.4'],
    ['4294967295', '255.255.255.255'],
    ['0xffffffff', '255.255.255.255'],
    ['4294967296', undefined],
    ['256.1.1.1', undefined],
    ['1.256.0', undefined],
    ['1.2.65535', '1.2.255.255'],
    ['1.2.65536', undefined],
    ['1.16777215', '1.255.255.255'],
    ['1.16777216', undefined],
    ['0', '0.0.0.0'],
    ['00', '0.0.0.0'],
    ['0.0.0.010', '0.0.0.8'],
    ['0x', undefined],
    ['0x1g', undefined],
    ['08', undefined],
    ['09.1.1.1', undefined],
    ['1.2.3.4.', undefined],
    ['1..2.3', undefined],
    ['', undefined],
    [' 1.2.3.4', undefined],
    ['1.2.3.4 ', undefined],
    ['1.2.3.4.5', undefined],
    ['-1.2.3.4', undefined],
    ['a.b.c.d', undefined],
  ];
  for (const [text, want] of cases) {
    const got = parseIpv4(text);
    assert.equal(got && [...got].join('.'), want, text);
  }
});

test('IPv6 as inet_pton reads it, agreeing with node:net and the URL parser', () => {
  const cases: [string, boolean][] = [
    ['::', true],
    ['::1', true],
    ['1::', true],
    ['1:2:3:4:5:6:7:8', true],
    ['1:2:3:4:5:6:7::', true],
    ['::2:3:4:5:6:7:8', true],
    ['1::2:3:4:5:6:7', true],
    ['::1:2:3:4:5:6:7:8', false],
    ['1:2:3:4:5:6:7', false],
    ['1:2:3:4:5:6:7:8:9', false],
    ['1::2::3', false],
    [':1::', false],
    ['1:::2', false],
    ['12345::', false],
    ['g::', false],
    ['::ffff:1.2.3.4', true],
    ['::1.2.3.4', true],
    ['1:2:3:4:5:6:1.2.3.4', true],
    ['1:2:3:4:5:6:7:1.2.3.4', false],
    ['::ffff:01.2.3.4', false],
    ['::ffff:1.2.3', false],
    ['1.2.3.4::', false],
    ['FE80::A', true],
  ];
  for (const [text, ok] of cases) {
    assert.equal(parseIpv6(text) !== undefined, ok, text);
    assert.equal(isIPv6(text), ok, `node:net on ${text}`);
  }
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
      const full = Array.from({ length: 8 }, (_, i) =>
        (((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0)).toString(16),
      ).join(':');
      // The URL parser writes the canonical compressed form (RFC 5952).
      const compressed = new URL(`http://[${full}]/`).hostname.slice(1, -1);
      assert.deepEqual(parseIpv6(full), bytes);
      assert.deepEqual(parseIpv6(compressed), bytes, compressed);
      assert.deepEqual(parseIpv6(full.toUpperCase()), bytes);
    }),
  );
});

test('client addresses: IPv4-mapped IPv6 is the IPv4 address, as sshd sees it', () => {
  assert.equal(normalizeClientAddress('::ffff:192.0.2.1'), '192.0.2.1');
  assert.equal(normalizeClientAddress('::FFFF:192.0.2.1'), '192.0.2.1');
  assert.equal(normalizeClientAddress('::ffff:c000:201'), '::ffff:c000:201');
  assert.equal(normalizeClientAddress('192.0.2.1'), '192.0.2.1');
  assert.equal(normalizeClientAddress('::1'), '::1');
  assert.equal(normalizeClientAddress('::ffff:999.0.2.1'), '::ffff:999.0.2.1');
});

test('CIDR patterns: networks, globs, and masks that make the list invalid', () => {
  const net = (s: string) => {
    const p = parseCidrPattern(s);
    return p.kind === 'network' ? `${[...p.network.bytes].join('.')}/${p.bits}` : p.kind;
  };
  assert.equal(net('192.168.0.0/16'), '192.168.0.0/16');
  assert.equal(net('10.1.2.3'), '10.1.2.3/32');
  assert.equal(net('0.0.0.0/0'), '0.0.0.0/0');
  assert.equal(net('10/8'), 'invalid'); // 0.0.0.10 has bits beyond /8, as in OpenSSH
  assert.equal(net('10.0.0.0/08'), '10.0.0.0/8');
  assert.equal(net('::1/128'), '0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1/128');
  assert.equal(net('10.1.0.0/8'), 'invalid');
  assert.equal(net('10.0.0.0/33'), 'invalid');
  assert.equal(net('::/129'), 'glob'); // masks over 128 are not CIDR at all
  assert.equal(net('10.0.0.0/'), 'glob');
  assert.equal(net('10.0.0.0/+8'), 'glob');
  assert.equal(net('10.0.0.0/0x8'), 'glob');
  assert.equal(net('10.0.0.*'), 'glob');
  assert.equal(net('host.example'), 'glob');
  assert.equal(net('fe80::1%eth0'), 'glob');
  assert.equal(net(`${'0'.repeat(60)}::1`), 'glob'); // longer than sshd's 64-byte buffer
  assert.equal(checkAddressPatternList('10.0.0.0/8,!10.1.0.0/16,*.example'), undefined);
  assert.match(checkAddressPatternList('a,,b') ?? '', /empty pattern/);
  assert.match(checkAddressPatternList('!') ?? '', /empty pattern/);
  assert.match(checkAddressPatternList('x,10.1.0.0/8') ?? '', /bits set/);
});

function bigOf(a: IpAddress): bigint {
  return a.bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n);
}

test('property: addressInNetwork agrees with a BigInt prefix comparison', () => {
  const addr = fc.oneof(
    fc.uint8Array({ minLength: 4, maxLength: 4 }).map((bytes) => ({ family: 4 as const, bytes })),
    fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => ({ family: 6 as const, bytes })),
  );
  fc.assert(
    fc.property(addr, addr, fc.nat(128), (a, n, rawBits) => {
      const width = a.bytes.length * 8;
      const bits = rawBits % (width + 1);
      const shift = BigInt(width - bits);
      const want = a.family === n.family && bigOf(a) >> shift === bigOf(n) >> shift;
      assert.equal(addressInNetwork(a, n, bits), want);
      // An address is always in its own network, whatever the prefix.
      assert.equal(addressInNetwork(a, a, bits), true);
    }),
    { numRuns: 2000 },
  );
});

test('matchAddressList: negation stops the walk, globs match the address text', () => {
  const cases: [string, string, 1 | 0 | -1 | 'invalid'][] = [
    ['10.1.2.3', '10.0.0.0/8', 1],
    ['10.1.2.3', '!10.0.0.0/8', -1],
    ['10.1.2.3', '10.0.0.0/8,!10.1.0.0/16', -1],
    ['10.2.2.3', '10.0.0.0/8,!10.1.0.0/16', 1],
    ['10.1.2.3', '!10.1.0.0/16,,', -1], // denied before the walk reaches the empty pattern
    ['10.2.2.3', '!10.1.0.0/16,,', 'invalid'],
    ['10.2.2.3', '10.*', 1],
    ['10.2.2.3', '10.2.2.?', 1],
    ['10.2.2.3', '127.1', 0],
    ['127.0.0.1', '127.1', 1],
    ['127.0.0.1', '127.1/32', 1],
    ['::1', '::1', 1],
    ['::1', '0:0::1/128', 1],
    ['::1', '127.0.0.1', 0],
    ['fe80::1%lo', 'fe80::/10', 1],
    ['fe80::1%lo', 'fe80::1%lo', 1],
    ['not an address', '*', 0], // sshd matches nothing against an address it cannot read
  ];
  for (const [address, list, want] of cases) {
    assert.equal(matchAddressList(address, list), want, `${address} ~ ${list}`);
  }
});

test('matchHostAndAddress: the address, then the host name (lowercased), both may deny', () => {
  assert.equal(matchHostAndAddress(undefined, '10.0.0.1', '10.0.0.0/8'), 1);
  assert.equal(matchHostAndAddress('h.example', '10.0.0.1', '*.example'), 1);
  assert.equal(matchHostAndAddress('H.EXAMPLE', '10.0.0.1', '*.example'), 1);
  assert.equal(matchHostAndAddress('h.example', '10.0.0.1', 'other,192.0.2.0/24'), 0);
  assert.equal(matchHostAndAddress('h.example', '10.0.0.1', '10.0.0.0/8,!h.example'), -1);
  assert.equal(matchHostAndAddress('h.example', '10.0.0.1', '*.example,!10.0.0.1'), -1);
  assert.equal(matchHostAndAddress('h.example', '10.0.0.1', '*.example,,'), -1);
  // Without a resolved name the address stands in for it (sshd with UseDNS no).
  assert.equal(matchHostAndAddress(undefined, '10.0.0.1', '!10.0.0.*,*'), -1);
  assert.equal(matchHostAndAddress(undefined, '::ffff:10.0.0.1', '10.0.0.1'), 1);
  assert.equal(parseIpAddress('::ffff:10.0.0.1')?.family, 6);
});

// ---- against sshd ---------------------------------------------------------------------------

let d: TempDir;
before(() => {
  d = tempDir('addrmatch');
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', d.path('host_key')]);
});
after(() => d.cleanup());

/** What sshd makes of `Match Address <list>` for a connection from `address`. */
function sshdMatch(address: string, list: string): 'match' | 'no match' | 'invalid' {
  const config = d.path('sshd_config');
  writeFileSync(
    config,
    `HostKey ${d.path('host_key')}\nMatch Address ${list}\n  Banner /matched\n`,
  );
  const r = tryRun(SSHD, [
    '-T',
    '-f',
    config,
    '-C',
    `addr=${address},user=u,host=h,laddr=127.0.0.1,lport=22`,
  ]);
  if (r.status !== 0) {
    assert.match(r.stderr, /Invalid Match address argument/, r.stderr);
    return 'invalid';
  }
  return /^banner \/matched$/m.test(r.stdout) ? 'match' : 'no match';
}

/**
 * Ours, in sshd's terms. sshd checks the whole list when it loads the config, so a list with a
 * bad entry is invalid even where the walk for one address would stop before it.
 */
function oursMatch(address: string, list: string): 'match' | 'no match' | 'invalid' {
  if (checkAddressPatternList(list) !== undefined) return 'invalid';
  const r = matchAddressList(address, list);
  assert.notEqual(r, 'invalid');
  return r === 1 ? 'match' : 'no match';
}

/** Compares both for `list` and for `list,*`, which tells a negated match (-1) from none (0). */
function agree(address: string, list: string): void {
  for (const l of [list, `${list},*`]) {
    assert.equal(
      oursMatch(address, l),
      sshdMatch(address, l),
      `Match Address ${l} from ${address}`,
    );
  }
}

const PATTERNS = [
  '10.0.0.0/8',
  '10.1.0.0/16',
  '10.1.2.3',
  '10.1.2.3/32',
  '10.*',
  '10.1.?.3',
  '192.168.0.0/16',
  '0.0.0.0/0',
  '127.1',
  '0x7f.0.0.1',
  '127.0.0.0/8',
  '::1',
  '::1/128',
  '::/0',
  'fe80::/10',
  '2001:db8::/32',
  '2001:db8:0:0:0:0:0:5',
  '2001:db8::5/127',
  '::ffff:10.1.2.3',
  '*',
  '?*',
  'host.example',
  '10.0.0.0/129',
  '10.1.0.0/8',
  '10.0.0.0/33',
  '2001:db8::1/32',
  '',
];
const ADDRESSES = [
  '10.1.2.3',
  '10.2.0.1',
  '192.168.7.7',
  '127.0.0.1',
  '8.8.8.8',
  '::1',
  'fe80::1',
  '2001:db8::5',
  '2001:db8::4',
  '2001:db9::1',
];

test('against sshd: Match Address on fixed lists', () => {
  const lists = [
    '10.0.0.0/8',
    '!10.0.0.0/8',
    '10.0.0.0/8,!10.1.0.0/16',
    '!10.1.0.0/16,10.0.0.0/8',
    '127.1',
    '0x7f.0.0.1/32',
    '10.*,!10.1.*',
    '::1/128,fe80::/10',
    '2001:db8::/32,!2001:db8::5',
    '2001:db8::4/127',
    '0.0.0.0/0',
    '::/0',
    '10.1.0.0/8',
    '10.0.0.0/33',
    'a,,b',
    '!',
    '10.0.0.0/129',
    '10/8',
  ];
  for (const list of lists) for (const address of ADDRESSES) agree(address, list);
});

test('against sshd: Match Address on random lists (property)', () => {
  const pattern = fc
    .tuple(fc.boolean(), fc.constantFrom(...PATTERNS))
    .map(([neg, p]) => (neg ? `!${p}` : p));
  fc.assert(
    fc.property(
      fc.constantFrom(...ADDRESSES),
      fc.array(pattern, { minLength: 1, maxLength: 4 }).map((p) => p.join(',')),
      (address, list) => {
        // An empty argument is a different error to sshd ("Missing Match criteria").
        fc.pre(list !== '');
        agree(address, list);
      },
    ),
    { numRuns: 60 },
  );
});
