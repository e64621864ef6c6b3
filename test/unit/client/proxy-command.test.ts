/**
 * ProxyCommand (core/client/proxy-command.ts): token expansion as ssh_config(5) lists them, and
 * the command run through the shell with `exec`, its stdio a stream, its exit reported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { waitFor } from '../../support/wait.js';
import { expandProxyCommand, startProxyCommand } from '../../../core/client/proxy-command.js';

const tokens = { host: 'h.example', port: 2222, user: 'alice', alias: 'myhost' };

test('expands %h %p %r %n %%', () => {
  assert.equal(
    expandProxyCommand('nc %h %p # %r@%n 100%% %%h', tokens),
    'nc h.example 2222 # alice@myhost 100% %h',
  );
  assert.equal(expandProxyCommand('%n', { host: 'x', port: 22, user: 'u' }), 'x');
});

test('an unknown token or a lone % is a ConfigError', () => {
  assert.throws(() => expandProxyCommand('nc %h %d', tokens), {
    name: 'ConfigError',
    message: /unknown token %d/,
  });
  assert.throws(() => expandProxyCommand('nc %h %', tokens), {
    name: 'ConfigError',
    message: /lone %/,
  });
});

test('runs through sh with exec: stdin to stdout, the shell replaced by the command', async () => {
  const p = startProxyCommand('cat');
  const out: Buffer[] = [];
  p.stream.on('data', (c: Buffer) => out.push(c));
  p.stream.end('through the command\n');
  const ended = await p.exited;
  assert.equal(ended.status, 0);
  assert.equal(Buffer.concat(out).toString(), 'through the command\n');
  // exec: the process we started is cat itself, not a shell waiting for it
  const q = startProxyCommand('sleep 30');
  const comm = () => readFileSync(`/proc/${q.pid ?? 0}/comm`, 'utf8').trim();
  await waitFor(() => comm() === 'sleep', 'the shell to exec the command');
  q.stop();
  const stopped = await q.exited;
  assert.equal(stopped.signal, 'SIGHUP');
  assert.match(stopped.message, /was killed by signal SIGHUP/);
});

test('its stderr goes to the callback; its exit status is reported', async () => {
  let err = '';
  const p = startProxyCommand(`sh -c 'echo oops >&2; exit 3'`, {
    onStderr: (c) => (err += c.toString()),
  });
  p.stream.on('error', () => {});
  p.stream.resume();
  const e = await p.exited;
  assert.equal(e.name, 'ProxyCommandError');
  assert.equal(e.kind, 'exited');
  assert.equal(e.status, 3);
  assert.match(e.message, /exited with status 3/);
  assert.equal(err, 'oops\n');
});
