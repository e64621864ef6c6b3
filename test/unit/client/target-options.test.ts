/**
 * connect()'s options built once for every front end (core/client/target-options.ts): the
 * front end's callbacks asked for each hop with its place in the chain, `~` expanded against
 * the front end's home, default identities under it, certificate host-key algorithms first
 * only when known_hosts has an @cert-authority for the host, the password methods read from
 * the hop's callbacks when authentication reaches them, the front end's default
 * ConnectTimeout, and SetEnv/SendEnv for sessions.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import {
  buildConnectOptions,
  sessionEnvironment,
  type ConnectFrontEnd,
  type ConnectTarget,
  type JumpPosition,
  type KnownHostsPaths,
} from '../../../core/client/target-options.js';
import { applyDashO, emptyOptions } from '../../../core/config/ssh-options.js';
import { tempDir } from '../../support/temp-dir.js';

const tmp = tempDir('target-options');
after(() => tmp.cleanup());

function target(alias: string, dashO: string[], port = 22, user = 'u'): ConnectTarget {
  const options = emptyOptions();
  for (const x of dashO) applyDashO(options, x);
  return { options, host: `${alias}.example`, port, user, alias };
}

/** A front end whose hops come from `hops` and that records every callbacks() call. */
function frontEnd(hops: Record<string, ConnectTarget>, allowed = () => true) {
  const calls: { alias: string; paths: KnownHostsPaths; jump: JumpPosition | null }[] = [];
  const fe: ConnectFrontEnd<ConnectTarget> = {
    home: '/home/fe',
    globalKnownHostsFiles: [],
    agentPath: null,
    defaultConnectTimeout: 30,
    resolveHop: async (spec) => {
      const t = hops[spec.host];
      if (!t) throw new Error(`no hop ${spec.host}`);
      return t;
    },
    callbacks: (t, paths, jump) => {
      calls.push({ alias: t.alias, paths, jump });
      return { verifyHostKey: async () => true, passwordsAllowed: allowed };
    },
  };
  return { fe, calls };
}

test('each hop gets its own callbacks with its place in the chain; ~ is the front end home', async () => {
  const { fe, calls } = frontEnd({
    j1: target('j1', ['IdentityFile=~/.ssh/j1_key']),
    j2: target('j2', ['UserKnownHostsFile=~/kh_j2']),
  });
  const o = await buildConnectOptions(
    target('dest', ['ProxyJump=j1,j2', 'CertificateFile=~/c-cert.pub', 'ConnectTimeout=7']),
    fe,
  );
  assert.deepEqual(
    calls.map((c) => [c.alias, c.jump]),
    [
      ['j1', { position: 1, of: 2 }],
      ['j2', { position: 2, of: 2 }],
      ['dest', null],
    ],
  );
  assert.deepEqual(calls.find((c) => c.alias === 'dest')?.paths.user, [
    '/home/fe/.ssh/known_hosts',
    '/home/fe/.ssh/known_hosts2',
  ]);
  assert.deepEqual(calls.find((c) => c.alias === 'j2')?.paths.user, ['/home/fe/kh_j2']);
  assert.deepEqual(o.certificateFiles, ['/home/fe/c-cert.pub']);
  assert.equal(o.connectTimeoutMs, 7000);
  assert.equal(o.agentPath, null);
  assert.ok(o.identityFiles?.every((f) => f.startsWith('/home/fe/.ssh/id_')));
  assert.equal(o.identityFilesExplicit, false);
  const [j1, j2] = o.jump ?? [];
  assert.deepEqual(j1?.identityFiles, ['/home/fe/.ssh/j1_key']);
  assert.equal(j1?.identityFilesExplicit, true);
  assert.equal(j1?.connectTimeoutMs, 30_000, "the front end's default");
  assert.equal(j2?.host, 'j2.example');
});

test('password methods: read from the callbacks when authentication gets there', async () => {
  let ok = true;
  const { fe } = frontEnd({}, () => ok);
  const o = await buildConnectOptions(target('d', []), fe);
  assert.equal(o.allow?.password, true);
  ok = false; // a changed key was accepted during the host-key check
  assert.equal(o.allow?.password, false);
  assert.equal(o.allow?.keyboardInteractive, false);
  const off = await buildConnectOptions(
    target('d', ['PasswordAuthentication=no']),
    frontEnd({}).fe,
  );
  assert.equal(off.allow?.password, false);
  assert.equal(off.allow?.keyboardInteractive, true);
});

function caLine(): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  const blob = Buffer.concat([str(Buffer.from('ssh-ed25519')), str(raw)]);
  return `ssh-ed25519 ${blob.toString('base64')}`;
}

test('certificate host-key algorithms first only with an @cert-authority for the host', async () => {
  const kh = tmp.path('known_hosts');
  writeFileSync(kh, `@cert-authority [ca.example]:2222 ${caLine()}\n`);
  const { fe } = frontEnd({});
  const withCa = await buildConnectOptions(
    { ...target('ca', [`UserKnownHostsFile=${kh}`]), port: 2222 },
    fe,
  );
  const hostKey = String(withCa.algorithms?.hostKey ?? '');
  assert.match(hostKey, /^\^/);
  assert.match(hostKey, /ssh-ed25519-cert-v01@openssh\.com/);
  const other = await buildConnectOptions(target('other', [`UserKnownHostsFile=${kh}`]), fe);
  assert.equal(other.algorithms?.hostKey, undefined);
  // HostKeyAlgorithms given: it wins
  const given = await buildConnectOptions(
    { ...target('ca', [`UserKnownHostsFile=${kh}`, 'HostKeyAlgorithms=ssh-ed25519']), port: 2222 },
    fe,
  );
  assert.equal(given.algorithms?.hostKey, 'ssh-ed25519');
});

test('sessionEnvironment: SetEnv, then the SendEnv patterns matched in the environment', () => {
  const o = emptyOptions();
  applyDashO(o, 'SetEnv=A=1 B=two');
  applyDashO(o, 'SendEnv=LC_*');
  const env = { LC_ALL: 'C', LANG: 'x', LC_TIME: undefined };
  assert.deepEqual(sessionEnvironment(o, env), [
    ['A', '1'],
    ['B', 'two'],
    ['LC_ALL', 'C'],
  ]);
});
