// Parsing known_hosts: every line form, bad lines skipped with their numbers, and findHost
// agreeing with `ssh-keygen -F` on a mixed file (plain, hashed, wildcards, negation, ports,
// markers, bad lines).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  findHost,
  hashHostName,
  knownHostName,
  parseKnownHosts,
  readKnownHosts,
} from '../../../core/hosts/index.js';
import { key, keyText, keygenFind, tempDir } from './support.js';

const ed = key('ssh-ed25519');
const ec = key('ecdsa-sha2-nistp384');
const rsa = key('ssh-rsa');

test('every line form parses, with line numbers, markers, hosts and comments', () => {
  const hashed = hashHostName('hashed.example');
  const text = [
    '# a comment',
    '',
    `plain.example ${keyText(ed)}`,
    `a.example,b.example,10.0.0.1 ${keyText(ec)} my comment  with  spaces`,
    `  \t[port.example]:2222\t${keyText(rsa)}\t`,
    `${hashed} ${keyText(ed)}`,
    `@revoked * ${keyText(rsa)}`,
    `@cert-authority *.example ${keyText(ed)} CA`,
    `*.wild.example,!bad.wild.example ${keyText(ed)}`,
    '   # indented comment',
    `dos.example ${keyText(ed)} dos\r`,
  ].join('\n');
  const f = parseKnownHosts(text, 'kh');
  assert.deepEqual(f.bad, []);
  assert.deepEqual(
    f.entries.map((e) => [e.line, e.marker ?? '', e.hosts, e.type, e.comment, e.hashed]),
    [
      [3, '', 'plain.example', 'ssh-ed25519', '', false],
      [
        4,
        '',
        'a.example,b.example,10.0.0.1',
        'ecdsa-sha2-nistp384',
        'my comment  with  spaces',
        false,
      ],
      [5, '', '[port.example]:2222', 'ssh-rsa', '', false],
      [6, '', hashed, 'ssh-ed25519', '', true],
      [7, 'revoked', '*', 'ssh-rsa', '', false],
      [8, 'cert-authority', '*.example', 'ssh-ed25519', 'CA', false],
      [9, '', '*.wild.example,!bad.wild.example', 'ssh-ed25519', '', false],
      [11, '', 'dos.example', 'ssh-ed25519', 'dos', false],
    ],
  );
  assert.ok(f.entries.every((e) => e.file === 'kh'));
  assert.deepEqual(f.entries[0]?.blob, ed.blob);
});

test('bad lines are skipped and counted with their numbers; good lines around them kept', () => {
  const good = `ok.example ${keyText(ed)}`;
  const b64 = Buffer.from(ed.blob).toString('base64');
  const lines = [
    good,
    'lonely.example',
    'host.example ssh-ed25519',
    `host.example ssh-foo ${b64}`,
    `host.example ssh-ed25519 ${b64.slice(0, -3)}!!`,
    `host.example ssh-rsa ${b64}`, // blob says ssh-ed25519
    `host.example ssh-ed25519 AAAA`,
    `@bogus host.example ${keyText(ed)}`,
    `@revoked @revoked host.example ${keyText(ed)}`,
    `|1|notbase64|xx ${keyText(ed)}`,
    `|1|${Buffer.alloc(8).toString('base64')}|AAAA ${keyText(ed)}`,
    `host.example 1024 35 12345`,
    '@revoked',
    good,
  ];
  const f = parseKnownHosts(lines.join('\n') + '\n', 'kh');
  assert.deepEqual(
    f.entries.map((e) => e.line),
    [1, 14],
  );
  assert.deepEqual(
    f.bad.map((b) => b.line),
    [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
  );
  assert.match(f.bad.find((b) => b.line === 4)?.reason ?? '', /unknown key type "ssh-foo"/);
  assert.match(f.bad.find((b) => b.line === 6)?.reason ?? '', /does not match/);
  assert.match(f.bad.find((b) => b.line === 8)?.reason ?? '', /unknown marker/);
});

test('readKnownHosts: a missing file is empty; a directory is reported, not thrown', async () => {
  const t = tempDir();
  try {
    const missing = await readKnownHosts(join(t.dir, 'nope'));
    assert.deepEqual([missing.entries.length, missing.bad.length], [0, 0]);
    const dir = await readKnownHosts(t.dir);
    assert.equal(dir.entries.length, 0);
    assert.equal(dir.bad[0]?.line, 0);
  } finally {
    t.cleanup();
  }
});

test('findHost lists the same lines as ssh-keygen -F on a mixed file', async () => {
  const t = tempDir();
  try {
    const file = join(t.dir, 'known_hosts');
    const lines = [
      `server.example ${keyText(ed)}`,
      `server.example,192.0.2.10 ${keyText(ec)}`,
      `[server.example]:2222 ${keyText(rsa)}`,
      `${hashHostName('server.example')} ${keyText(rsa)}`,
      `${hashHostName('[server.example]:2222')} ${keyText(ed)}`,
      `*.example ${keyText(ec)}`,
      `*.example,!server.example ${keyText(rsa)}`,
      `SERVER.EXAMPLE ${keyText(rsa)}`,
      `serv?r.example ${keyText(ed)}`,
      `[*.example]:2222 ${keyText(ec)}`,
      `@revoked * ${keyText(rsa)}`,
      `@cert-authority *.example ${keyText(ed)}`,
      `other.example ${keyText(ed)}`,
      `server.example ssh-nonsense AAAA`,
      `!server.example ${keyText(ed)}`,
      `192.0.2.* ${keyText(ed)}`,
      `# server.example ${keyText(ed)}`,
    ];
    writeFileSync(file, lines.join('\n') + '\n');
    const parsed = await readKnownHosts(file);
    const counts: number[] = [];
    for (const [host, port] of [
      ['server.example', 22],
      ['server.example', 2222],
      ['other.example', 22],
      ['x.example', 22],
      ['x.example', 2222],
      ['192.0.2.10', 22],
      ['192.0.2.99', 22],
      ['nowhere', 22],
    ] as const) {
      const name = knownHostName(host, port);
      const ours = findHost([parsed], name).map((e) => ({
        line: e.line,
        marker: e.marker === 'revoked' ? 'REVOKED' : e.marker === 'cert-authority' ? 'CA' : '',
      }));
      assert.deepEqual(ours, keygenFind(file, name), name);
      counts.push(ours.length);
    }
    // Not vacuous: the busy names match many lines, the unknown one none.
    assert.deepEqual(counts, [8, 4, 5, 4, 2, 3, 2, 1]);
  } finally {
    t.cleanup();
  }
});
