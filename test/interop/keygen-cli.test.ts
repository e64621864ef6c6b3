/**
 * `keyway keygen` beside OpenSSH's ssh-keygen: every key type keygen writes, encrypted and
 * not, is read by ssh-keygen (same public key, same fingerprint, same randomart); keygen -l,
 * -lv, -E md5, -y and -p work on keys ssh-keygen wrote; files get modes 0600 / 0644 and are
 * never overwritten without a person saying so; -D lists a SoftHSM2 token's keys as
 * ssh-keygen -D does, each after its pkcs11: URI.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { runKeyway } from '../support/keyway-bin.js';
import { createSoftHsmToken, SOFTHSM_MODULE } from '../support/softhsm.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';
import { keywayInTmux } from '../support/tmux-run.js';

let d: TempDir;
before(() => {
  d = tempDir('keygen');
});
after(() => d.cleanup());

function sshKeygen(args: readonly string[]): string {
  return execFileSync('ssh-keygen', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const TYPES: readonly { t: string; b?: string; label: string; bits: number }[] = [
  { t: 'ed25519', label: 'ED25519', bits: 256 },
  { t: 'ecdsa', b: '256', label: 'ECDSA', bits: 256 },
  { t: 'ecdsa', b: '384', label: 'ECDSA', bits: 384 },
  { t: 'ecdsa', b: '521', label: 'ECDSA', bits: 521 },
  { t: 'rsa', b: '2048', label: 'RSA', bits: 2048 },
];

/** bcrypt rounds recorded in an openssh-key-v1 file (PROTOCOL.key kdfoptions). */
function kdfRounds(path: string): number {
  const b64 = readFileSync(path, 'utf8')
    .replace(/-----[^-]+-----/g, '')
    .replace(/\s/g, '');
  const buf = Buffer.from(b64, 'base64');
  let off = 'openssh-key-v1\0'.length;
  const str = (): Buffer => {
    const n = buf.readUInt32BE(off);
    const s = buf.subarray(off + 4, off + 4 + n);
    off += 4 + n;
    return s;
  };
  str(); // cipher
  str(); // kdf
  const opts = str();
  return opts.readUInt32BE(4 + opts.readUInt32BE(0));
}

test('ssh-keygen reads every key keygen writes; fingerprint and randomart agree', async () => {
  for (const spec of TYPES) {
    for (const pass of ['', 'secret words']) {
      const name = `k-${spec.t}${spec.b ?? ''}-${pass === '' ? 'plain' : 'enc'}`;
      const path = d.path(name);
      const args = ['keygen', '-t', spec.t, ...(spec.b ? ['-b', spec.b] : [])];
      const r = await runKeyway([...args, '-f', path, '-N', pass, '-C', `c ${name}`, '-a', '8']);
      assert.equal(r.code, 0, r.err);
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal(statSync(`${path}.pub`).mode & 0o777, 0o644);
      const pub = readFileSync(`${path}.pub`, 'utf8').trim();
      // ssh-keygen derives the same public key from the private file, with the passphrase
      assert.equal(sshKeygen(['-y', '-P', pass, '-f', path]).trim(), pub, name);
      if (pass !== '') {
        assert.equal(kdfRounds(path), 8);
        assert.throws(() => sshKeygen(['-y', '-P', 'wrong', '-f', path]), name);
      }
      const theirs = sshKeygen(['-lv', '-f', `${path}.pub`])
        .trim()
        .split('\n');
      assert.equal(theirs[0], `${spec.bits} ${r.out.split('\n')[4]} (${spec.label})`, name);
      // generation prints "The key's randomart image is:" then ssh-keygen's picture
      const art = r.out.split("The key's randomart image is:\n")[1]?.trim();
      assert.equal(art, theirs.slice(1).join('\n'), name);
      assert.match(r.out, /^Generating public\/private \w+ key pair\.\n/);
    }
  }
});

test('the default is 16 bcrypt rounds; -q prints nothing', async () => {
  const path = d.path('default-rounds');
  const r = await runKeyway(['keygen', '-q', '-f', path, '-N', 'pw']);
  assert.deepEqual([r.code, r.out, r.err], [0, '', '']);
  assert.equal(kdfRounds(path), 16);
  assert.match(readFileSync(`${path}.pub`, 'utf8'), /^ssh-ed25519 \S+ \S+@\S+\n$/);
});

test('-l, -lv, -E md5, -y and -p on keys ssh-keygen wrote', async () => {
  for (const spec of TYPES) {
    for (const pass of ['', 'old pass']) {
      const name = `o-${spec.t}${spec.b ?? ''}-${pass === '' ? 'plain' : 'enc'}`;
      const path = d.path(name);
      const bits = spec.b ? ['-b', spec.b] : [];
      sshKeygen(['-q', '-t', spec.t, ...bits, '-N', pass, '-C', `cm ${name}`, '-f', path]);
      const cases: [string, string[]][] = [
        [path, ['-lv']],
        [path, ['-l', '-E', 'md5']],
        [`${path}.pub`, ['-l']],
        [`${path}.pub`, ['-lv', '-E', 'md5']],
      ];
      for (const [target, flags] of cases) {
        const ours = await runKeyway(['keygen', ...flags, '-f', target]);
        assert.equal(ours.code, 0, ours.err);
        assert.equal(ours.out, sshKeygen([...flags, '-f', target]), `${flags.join(' ')} ${target}`);
      }
      const y = await runKeyway(['keygen', '-y', '-P', pass, '-f', path]);
      assert.equal(y.code, 0, y.err);
      assert.equal(y.out, sshKeygen(['-y', '-P', pass, '-f', path]));

      const p = await runKeyway(['keygen', '-p', '-P', pass, '-N', 'new pass', '-f', path]);
      assert.equal(p.code, 0, p.err);
      assert.match(p.out, /Your identification has been saved with the new passphrase\./);
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal(sshKeygen(['-y', '-P', 'new pass', '-f', path]), y.out);
      assert.throws(() => sshKeygen(['-y', '-P', pass === '' ? 'x' : pass, '-f', path]));
    }
  }
});

test('a wrong old passphrase fails and leaves the file as it was', async () => {
  const path = d.path('guarded');
  sshKeygen(['-q', '-t', 'ed25519', '-N', 'right', '-f', path]);
  const before = readFileSync(path, 'utf8');
  for (const args of [
    ['-p', '-P', 'wrong', '-N', 'x'],
    ['-y', '-P', 'wrong'],
  ]) {
    const r = await runKeyway(['keygen', ...args, '-f', path]);
    assert.equal(r.code, 255);
    assert.match(r.err, /incorrect passphrase supplied to decrypt private key/);
  }
  assert.equal(readFileSync(path, 'utf8'), before);
});

test('an existing key is not overwritten without a terminal to ask', async () => {
  const path = d.path('taken');
  writeFileSync(path, 'precious\n', { mode: 0o600 });
  const r = await runKeyway(['keygen', '-f', path, '-N', '']);
  assert.equal(r.code, 255);
  assert.match(r.err, /taken already exists/);
  assert.equal(readFileSync(path, 'utf8'), 'precious\n');
});

test('on a terminal: overwrite only after "y"; the passphrase asked twice', async (t) => {
  const path = d.path('asked');
  writeFileSync(path, 'old key\n', { mode: 0o600 });
  const no = keywayInTmux(d.dir, ['keygen', '-f', path, '-N', '']);
  t.after(() => no.kill());
  await no.waitFor(/asked already exists\.\nOverwrite \(y\/n\)\? $/, 'the overwrite question');
  no.type('n');
  no.press('Enter');
  await no.waitFor(/^exit 1$/m, 'exit 1');
  assert.equal(readFileSync(path, 'utf8'), 'old key\n');

  const yes = keywayInTmux(d.dir, ['keygen', '-f', path, '-C', 'tty']);
  t.after(() => yes.kill());
  await yes.waitFor(/Overwrite \(y\/n\)\? $/, 'the overwrite question');
  yes.type('y');
  yes.press('Enter');
  await yes.waitFor(/Enter passphrase \(empty for no passphrase\): $/, 'the passphrase prompt');
  yes.type('tty pass');
  yes.press('Enter');
  await yes.waitFor(/Enter same passphrase again: $/, 'the second prompt');
  yes.type('tty pass');
  yes.press('Enter');
  await yes.waitFor(/^exit 0$/m, 'exit 0');
  assert.ok(!yes.screen().includes('tty pass'), 'the passphrase is not echoed');
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const pub = readFileSync(`${path}.pub`, 'utf8').trim();
  assert.match(pub, / tty$/);
  assert.equal(sshKeygen(['-y', '-P', 'tty pass', '-f', path]).trim(), pub);
});

test('bad arguments and bad files are clear errors', async () => {
  for (const [args, why] of [
    [['-t', 'dsa'], /unknown key type "dsa"/],
    [['-t', 'rsa', '-b', '1024'], /Invalid RSA key length/],
    [['-t', 'rsa', '-b', '16384'], /Invalid RSA key length/],
    [['-t', 'ecdsa', '-b', '512'], /Invalid ECDSA key length/],
    [['-l', '-y'], /exclude each other/],
    [['-E', 'sha1', '-l', '-f', '/etc/hostname'], /-E: "sha1"/],
    [['-a', '0'], /-a: "0" is not a number/],
  ] as const) {
    const r = await runKeyway(['keygen', ...args, '-f', d.path('unused'), '-N', '']);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.err, why);
  }
  const notKey = await runKeyway(['keygen', '-l', '-f', '/etc/hostname']);
  assert.equal(notKey.code, 255);
  assert.match(notKey.err, /\/etc\/hostname: is not a public key file/);
  const missing = await runKeyway(['keygen', '-y', '-f', d.path('absent')]);
  assert.equal(missing.code, 255);
  assert.match(missing.err, /absent: No such file or directory/);
});

test("-D lists a token's keys like ssh-keygen -D, each after its URI", async () => {
  const token = createSoftHsmToken({
    keys: [
      { keyType: 'EC:prime256v1', id: '01', label: 'ec key' },
      { keyType: 'rsa:2048', id: '02', label: 'rsa key' },
    ],
  });
  const saved = process.env['SOFTHSM2_CONF'];
  process.env['SOFTHSM2_CONF'] = token.conf;
  try {
    const theirs = sshKeygen(['-D', SOFTHSM_MODULE]).trim().split('\n');
    const r = await runKeyway(['keygen', '-D', SOFTHSM_MODULE]);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n');
    assert.deepEqual(lines.filter((l) => !l.startsWith('#')).sort(), theirs.sort());
    const uris = lines.filter((l) => l.startsWith('# ')).map((l) => l.slice(2));
    assert.equal(uris.length, 2);
    // each URI selects exactly the key after it
    for (const uri of uris) {
      const one = await runKeyway(['keygen', '-D', uri]);
      assert.equal(one.code, 0, one.err);
      assert.equal(one.out, `# ${uri}\n${lines[lines.indexOf(`# ${uri}`) + 1]}\n`);
    }
    const none = await runKeyway(['keygen', '-D', `pkcs11:id=%33?module-path=${SOFTHSM_MODULE}`]);
    assert.equal(none.code, 255);
    assert.match(none.err, /no matching RSA or ECDSA key/);
    const noModule = await runKeyway(['keygen', '-D', '/nonexistent/p11.so']);
    assert.equal(noModule.code, 255);
    assert.match(noModule.err, /PKCS#11 module \/nonexistent\/p11\.so: No such file or directory/);
  } finally {
    if (saved === undefined) delete process.env['SOFTHSM2_CONF'];
    else process.env['SOFTHSM2_CONF'] = saved;
    token.cleanup();
  }
});
