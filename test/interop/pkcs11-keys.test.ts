/**
 * The PKCS#11 key source against a real token: SoftHSM2 in a temp dir with an EC P-256 and an
 * RSA 2048 key pair made by OpenSC's pkcs11-tool. Keys are listed as OpenSSH's ssh-keygen -D
 * lists them, sign inside the token (verified with the public key), and every failure is its
 * own typed error: missing module, no matching key, wrong PIN (tried once, never again for the
 * token's other key), cancelled PIN, removed token.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import {
  formatOpenSshPublicKey,
  openPkcs11Keys,
  Pkcs11Error,
  Pkcs11KeyNotFoundError,
  Pkcs11ModuleError,
  Pkcs11PinIncorrectError,
  Pkcs11PinRequiredError,
  Pkcs11TokenRemovedError,
  type PinPrompt,
} from '../../core/keys/index.js';
import { createSoftHsmToken, SOFTHSM_MODULE, type SoftHsmToken } from '../support/softhsm.js';

let token: SoftHsmToken;
const M = `module-path=${SOFTHSM_MODULE}`;

before(() => {
  token = createSoftHsmToken({
    keys: [
      { keyType: 'EC:prime256v1', id: '01', label: 'ec key' },
      { keyType: 'rsa:2048', id: '02', label: 'rsa key' },
    ],
  });
  process.env['SOFTHSM2_CONF'] = token.conf;
});
after(() => token?.cleanup());

function tokenFlags(): string {
  return /token flags\s*:\s*(.*)/.exec(token.tool(['-L']))?.[1] ?? '';
}

test('lists the same public keys as ssh-keygen -D, with URIs', () => {
  const set = openPkcs11Keys(SOFTHSM_MODULE);
  try {
    const ours = set.keys.map((k) => formatOpenSshPublicKey(k.publicKey, k.comment).trim());
    assert.deepEqual(ours.sort(), token.opensshKeys().sort());
    const serial = /serial num\s*:\s*(\S+)/.exec(token.tool(['-L']))?.[1] ?? '';
    const ec = set.keys.find((k) => k.publicKey.type === 'ecdsa-sha2-nistp256');
    assert.equal(
      ec?.source,
      `pkcs11:id=%01;object=ec%20key;token=keyway%20test;manufacturer=SoftHSM%20project;serial=${serial}?${M}`,
    );
    assert.equal(set.keys.find((k) => k.publicKey.type === 'ssh-rsa')?.publicKey.bits, 2048);
  } finally {
    set.close();
  }
});

test('each key signs inside the token with each of its algorithms', async () => {
  const set = openPkcs11Keys(`pkcs11:token=keyway%20test?${M}&pin-value=${token.pin}`);
  try {
    assert.equal(set.keys.length, 2);
    const algs = set.keys.flatMap((k) => k.algorithms).sort();
    assert.deepEqual(algs, ['ecdsa-sha2-nistp256', 'rsa-sha2-256', 'rsa-sha2-512', 'ssh-rsa']);
    for (const k of set.keys) {
      for (const alg of k.algorithms) {
        const data = randomBytes(100);
        const sig = await k.sign(alg, data);
        assert.ok(k.publicKey.verify(alg, sig, data), `${alg} verifies`);
        assert.ok(!k.publicKey.verify(alg, sig, randomBytes(100)), `${alg} is bound to the data`);
      }
    }
  } finally {
    set.close();
  }
});

test('the URI selects keys by id and object, tokens by token, manufacturer and serial', () => {
  const one = (uri: string): string[] => {
    const set = openPkcs11Keys(uri);
    try {
      return set.keys.map((k) => k.comment);
    } finally {
      set.close();
    }
  };
  assert.deepEqual(one(`pkcs11:id=%01?${M}`), ['ec key']);
  assert.deepEqual(one(`pkcs11:object=rsa%20key?${M}`), ['rsa key']);
  assert.deepEqual(one(`pkcs11:manufacturer=SoftHSM%20project;id=%02?${M}`), ['rsa key']);
  assert.deepEqual(one(`pkcs11:type=private;id=%02?${M}`), ['rsa key']);
  // the module from PKCS11Provider when the URI has none
  const set = openPkcs11Keys('pkcs11:id=%01', { provider: SOFTHSM_MODULE });
  assert.equal(set.keys.length, 1);
  set.close();
  for (const uri of [
    `pkcs11:id=%09?${M}`,
    `pkcs11:token=other?${M}`,
    `pkcs11:serial=0000;id=%01?${M}`,
    `pkcs11:manufacturer=Acme?${M}`,
    `pkcs11:type=cert?${M}`,
  ]) {
    assert.throws(() => openPkcs11Keys(uri), Pkcs11KeyNotFoundError, uri);
  }
});

test('a missing module or a URI without one is a clear error', () => {
  assert.throws(
    () => openPkcs11Keys('/nonexistent/libpkcs11.so'),
    (e: unknown) =>
      e instanceof Pkcs11ModuleError && /nonexistent.*No such file or directory/.test(e.message),
  );
  assert.throws(
    () => openPkcs11Keys('/etc/hostname'),
    (e: unknown) => e instanceof Pkcs11ModuleError && /cannot be loaded/.test(e.message),
  );
  assert.throws(
    () => openPkcs11Keys('pkcs11:id=%01'),
    (e: unknown) => e instanceof Pkcs11Error && e.kind === 'module',
  );
});

test('a wrong PIN fails with its own error, once for the whole token, and is not retried', async () => {
  assert.doesNotMatch(tokenFlags(), /user PIN count low/);
  const asked: PinPrompt[] = [];
  const set = openPkcs11Keys(SOFTHSM_MODULE, {
    askPin: async (p) => {
      asked.push(p);
      return 'wrong-pin';
    },
  });
  try {
    for (const k of set.keys) {
      await assert.rejects(
        k.sign(k.algorithms[0] ?? '', randomBytes(32)),
        (e: unknown) =>
          e instanceof Pkcs11PinIncorrectError &&
          e.code === 'PKCS11_PIN_INCORRECT' &&
          e.status.countLow &&
          /incorrect PIN for token 'keyway test' \(PIN count low/.test(e.message),
      );
    }
    assert.equal(asked.length, 1, 'one PIN asked for, one login tried for two keys');
    assert.deepEqual(asked[0], {
      token: 'keyway test',
      status: { countLow: false, finalTry: false, locked: false },
    });
  } finally {
    set.close();
  }
  assert.match(tokenFlags(), /user PIN count low/);

  // the next prompt shows what the token says, and the right PIN clears the flag
  const seen: PinPrompt[] = [];
  const again = openPkcs11Keys(`pkcs11:id=%01?${M}`, {
    askPin: async (p) => {
      seen.push(p);
      return token.pin;
    },
  });
  try {
    const k = again.keys[0];
    assert.ok(k);
    const data = randomBytes(10);
    assert.ok(
      k.publicKey.verify(k.algorithms[0] ?? '', await k.sign(k.algorithms[0] ?? '', data), data),
    );
    assert.equal(seen[0]?.status.countLow, true);
  } finally {
    again.close();
  }
  assert.doesNotMatch(tokenFlags(), /user PIN count low/);
});

test('a wrong pin-value fails without asking; a cancelled prompt is PIN-required', async () => {
  let asked = 0;
  const set = openPkcs11Keys(`pkcs11:id=%02?${M}&pin-value=000000`, {
    askPin: async () => {
      asked++;
      return token.pin;
    },
  });
  try {
    await assert.rejects(
      set.keys[0]?.sign('rsa-sha2-256', randomBytes(8)) ?? Promise.resolve(),
      Pkcs11PinIncorrectError,
    );
    assert.equal(asked, 0);
  } finally {
    set.close();
  }
  const cancelled = openPkcs11Keys(`pkcs11:id=%02?${M}`, { askPin: async () => null });
  try {
    await assert.rejects(
      cancelled.keys[0]?.sign('rsa-sha2-256', randomBytes(8)) ?? Promise.resolve(),
      (e: unknown) => e instanceof Pkcs11PinRequiredError && /cancelled/.test(e.message),
    );
  } finally {
    cancelled.close();
  }
  const none = openPkcs11Keys(`pkcs11:id=%02?${M}`);
  try {
    await assert.rejects(
      none.keys[0]?.sign('rsa-sha2-256', randomBytes(8)) ?? Promise.resolve(),
      Pkcs11PinRequiredError,
    );
  } finally {
    none.close();
  }
});

test('pin-source reads the PIN from a file only its owner can read', async () => {
  const file = token.dir.path('pin');
  writeFileSync(file, `${token.pin}\n`, { mode: 0o600 });
  const set = openPkcs11Keys(`pkcs11:id=%01?${M}&pin-source=file:${file}`);
  try {
    const data = randomBytes(16);
    const k = set.keys[0];
    assert.ok(
      k &&
        k.publicKey.verify(k.algorithms[0] ?? '', await k.sign(k.algorithms[0] ?? '', data), data),
    );
  } finally {
    set.close();
  }
  chmodSync(file, 0o644);
  const open = openPkcs11Keys(`pkcs11:id=%01?${M}&pin-source=${file}`);
  try {
    await assert.rejects(
      open.keys[0]?.sign('ecdsa-sha2-nistp256', randomBytes(8)) ?? Promise.resolve(),
      /too open/,
    );
  } finally {
    open.close();
  }
});

test('a closed key set refuses to sign; a removed token is reported as removed', async () => {
  const set = openPkcs11Keys(`pkcs11:id=%01?${M}&pin-value=${token.pin}`);
  const k = set.keys[0];
  assert.ok(k);
  set.close();
  await assert.rejects(k.sign('ecdsa-sha2-nistp256', randomBytes(8)), /no longer open/);

  const spare = createSoftHsmToken({
    label: 'spare',
    keys: [{ keyType: 'EC:prime256v1', id: '07', label: 'spare key' }],
  });
  const saved = process.env['SOFTHSM2_CONF'];
  process.env['SOFTHSM2_CONF'] = spare.conf;
  try {
    const s = openPkcs11Keys(`pkcs11:token=spare?${M}&pin-value=${spare.pin}`);
    try {
      execFileSync('softhsm2-util', ['--delete-token', '--token', 'spare'], {
        env: { ...process.env, ...spare.env },
        stdio: 'ignore',
      });
      await assert.rejects(
        s.keys[0]?.sign('ecdsa-sha2-nistp256', randomBytes(8)) ?? Promise.resolve(),
        Pkcs11TokenRemovedError,
      );
    } finally {
      s.close();
    }
  } finally {
    if (saved === undefined) delete process.env['SOFTHSM2_CONF'];
    else process.env['SOFTHSM2_CONF'] = saved;
    spare.cleanup();
  }
});
