/**
 * `keyway ssh` with smartcard keys against Debian's sshd: a SoftHSM2 token holding an EC P-256
 * and an RSA 2048 key, whose public halves (read by OpenSSH's ssh-keygen -D) are the server's
 * authorized_keys. Each key logs in through `-i "pkcs11:id=…?module-path=…"`, and through
 * `-o PKCS11Provider=…` with a URI that names no module; a wrong PIN is reported once per
 * key with the typed error's words and the login fails cleanly (exit 255, no retry).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startOpenSsh, type RunningServer } from './harness/index.js';
import { runKeyway } from '../support/keyway-bin.js';
import { keywayInTmux } from '../support/tmux-run.js';
import { createSoftHsmToken, SOFTHSM_MODULE, type SoftHsmToken } from '../support/softhsm.js';
import { logged } from '../support/wait.js';

let token: SoftHsmToken;
let server: RunningServer;
let authorized: string[] = [];

before(async () => {
  token = createSoftHsmToken({
    keys: [
      { keyType: 'EC:prime256v1', id: '01', label: 'ec key' },
      { keyType: 'rsa:2048', id: '02', label: 'rsa key' },
    ],
  });
  // the token must be visible to the keyway child processes runKeyway starts
  process.env['SOFTHSM2_CONF'] = token.conf;
  authorized = token.opensshKeys();
  server = await startOpenSsh({ authorizedKeys: authorized });
});

after(async () => {
  await server?.stop();
  token?.cleanup();
});

const opts = (): string[] => [
  '-F',
  '/dev/null',
  '-o',
  'StrictHostKeyChecking=no',
  '-o',
  `UserKnownHostsFile=${token.dir.path('known_hosts')}`,
  '-o',
  'BatchMode=yes',
  '-o',
  'IdentitiesOnly=yes',
  '-p',
  String(server.port),
];

/** keyway ssh with the options above, the token's module as PKCS11Provider and one -i. */
const withProvider = (identity: string, command: string) =>
  runKeyway([
    'ssh',
    ...opts(),
    '-o',
    `PKCS11Provider=${SOFTHSM_MODULE}`,
    '-i',
    identity,
    'root@127.0.0.1',
    command,
  ]);

test('each token key logs in with -i pkcs11:id=…?module-path=…&pin-value=…', async () => {
  for (const [id, type] of [
    ['%01', 'ECDSA'],
    ['%02', 'RSA'],
  ] as const) {
    const uri = `pkcs11:id=${id}?module-path=${SOFTHSM_MODULE}&pin-value=${token.pin}`;
    const r = await runKeyway(['ssh', ...opts(), '-v', '-i', uri, 'root@127.0.0.1', 'echo in']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'in\n');
    // sshd's log names the key it accepted (on its own pipe, maybe after the command ended)
    const line = new RegExp(`Accepted publickey for root .* ssh2: ${type} SHA256:`);
    await logged(() => server.log(), line);
  }
});

test('-o PKCS11Provider=module with a URI that names only the key', async () => {
  const r = await withProvider(`pkcs11:object=rsa%20key?pin-value=${token.pin}`, 'echo provider');
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'provider\n');
});

test('a wrong PIN: one clear line per key, the token tried once, exit 255', async () => {
  const r = await withProvider('pkcs11:?pin-value=000000', 'true');
  assert.equal(r.code, 255);
  const lines = r.err.trim().split('\n');
  const loads = lines.filter((l) => l.startsWith('Load key "pkcs11:'));
  assert.equal(loads.length, 2, r.err);
  for (const l of loads) {
    assert.match(l, /: incorrect PIN for token 'keyway test' \(PIN count low/);
    assert.doesNotMatch(l, /000000/);
  }
  assert.match(r.err, /root@127\.0\.0\.1: Permission denied \(publickey/);
  // the right PIN still works afterwards: nothing locked, the count-low flag is cleared
  const ok = await runKeyway([
    'ssh',
    ...opts(),
    '-i',
    `pkcs11:id=%01?module-path=${SOFTHSM_MODULE}&pin-value=${token.pin}`,
    'root@127.0.0.1',
    'echo again',
  ]);
  assert.equal(ok.code, 0, ok.err);
  assert.doesNotMatch(token.tool(['-L']), /user PIN count low/);
});

test('a missing module and an unmatched key are reported, then login fails', async () => {
  const r = await runKeyway([
    'ssh',
    ...opts(),
    '-i',
    'pkcs11:id=%01?module-path=/nonexistent/p11.so',
    '-i',
    `pkcs11:id=%09?module-path=${SOFTHSM_MODULE}`,
    'root@127.0.0.1',
    'true',
  ]);
  assert.equal(r.code, 255);
  assert.match(
    r.err,
    /Load key "pkcs11:id=%01\?module-path=\/nonexistent\/p11\.so": PKCS#11 module \/nonexistent\/p11\.so: No such file or directory/,
  );
  assert.match(r.err, /Load key "pkcs11:id=%09\?module-path=.*": .*no matching RSA or ECDSA key/);
  assert.match(r.err, /Permission denied \(publickey/);
});

test('on a terminal the PIN is asked for once, with the token label, and not echoed', async (t) => {
  // opts() without BatchMode: a person is there to answer
  const args = opts().flatMap((a, i, all) =>
    a === 'BatchMode=yes' || all[i + 1] === 'BatchMode=yes' ? [] : [a],
  );
  const tm = keywayInTmux(
    token.dir.dir,
    ['ssh', ...args, '-o', `PKCS11Provider=${SOFTHSM_MODULE}`, 'root@127.0.0.1', 'echo via-pin'],
    { SOFTHSM2_CONF: token.conf },
  );
  t.after(() => tm.kill());
  await tm.waitFor(/Enter PIN for 'keyway test': $/, 'the PIN prompt');
  tm.type(token.pin);
  tm.press('Enter');
  await tm.waitFor(/^exit 0$/m, 'keyway exits 0');
  const screen = tm.screen();
  assert.match(screen, /^via-pin$/m);
  assert.equal(screen.match(/Enter PIN/g)?.length, 1, screen);
  assert.ok(!screen.includes(token.pin), 'the PIN is not echoed');
});
