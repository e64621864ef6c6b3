import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyDashO,
  applyOption,
  duration,
  emptyOptions,
} from '../../../core/config/ssh-options.js';

test('-o options: first value wins; lists accumulate; validation names the problem', () => {
  const o = emptyOptions();
  applyDashO(o, 'StrictHostKeyChecking=accept-new');
  applyDashO(o, 'stricthostkeychecking no');
  applyDashO(o, 'IdentityFile=/a');
  applyOption(o, 'IdentityFile', ['/b'], 'cfg line 2');
  applyDashO(o, 'ServerAliveInterval=1m30s');
  applyDashO(o, 'RekeyLimit 1M 1h');
  applyDashO(o, 'SetEnv=A=1');
  applyDashO(o, 'Port=2222');
  assert.equal(o.strictHostKeyChecking, 'accept-new');
  assert.deepEqual(o.identityFiles, ['/a', '/b']);
  assert.equal(o.serverAliveInterval, 90);
  assert.deepEqual(o.rekeyLimit, { bytes: 1024 * 1024, seconds: 3600 });
  assert.deepEqual(o.setEnv, [['A', '1']]);
  assert.equal(o.port, 2222);
  assert.throws(
    () => applyDashO(o, 'BatchMode=maybe'),
    /command-line: bad yes\/no argument "maybe"/,
  );
  assert.throws(() => applyDashO(o, 'Port=70000'), /not a number from 1 to 65535/);
  assert.throws(() => applyDashO(o, 'Frobnicate=yes'), /Bad configuration option: Frobnicate/);
  assert.throws(() => applyDashO(o, 'Port='), /bad option/);
});

test('time formats', () => {
  assert.equal(duration('45', 'x'), 45);
  assert.equal(duration('1h2m3s', 'x'), 3723);
  assert.throws(() => duration('5x', 'x'), /bad time/);
});

test('CertificateFile accumulates like IdentityFile, from -o and config files', () => {
  const o = emptyOptions();
  applyDashO(o, 'CertificateFile=~/.ssh/a-cert.pub');
  applyOption(o, 'certificatefile', ['/etc/ssh/b-cert.pub'], 'config');
  assert.deepEqual(o.certificateFiles, ['~/.ssh/a-cert.pub', '/etc/ssh/b-cert.pub']);
});
