// The browser host's pieces (core/service/web): who may open the WebSocket, which files the
// static handler may serve, and start:web's arguments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkUpgrade, newToken } from '../../../core/service/web/access.js';
import { DEFAULT_UI_DIR, parseWebArgs } from '../../../core/service/web/main.js';
import { resolveUnder } from '../../../core/service/web/static-files.js';

const token = newToken();
const policy = { token, origins: ['http://127.0.0.1:8000'], hosts: ['127.0.0.1:8000'] };
const req = (url: string, headers: Record<string, string>) => ({ url, headers });
const good = { host: '127.0.0.1:8000', origin: 'http://127.0.0.1:8000' };

test('tokens are fresh and long', () => {
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(newToken(), token);
});

test('the upgrade needs the token, the own origin and the loopback host', () => {
  assert.deepEqual(checkUpgrade(req(`/api?token=${token}`, good), policy), { ok: true });
  const refused = (url: string, headers: Record<string, string>) => {
    const d = checkUpgrade(req(url, headers), policy);
    return d.ok ? 0 : d.status;
  };
  assert.equal(refused('/api', good), 401);
  assert.equal(refused(`/api?token=${token}x`, good), 401);
  assert.equal(refused(`/api?token=${token.slice(1)}`, good), 401);
  assert.equal(refused(`/api?token=${token}`, { ...good, origin: 'http://127.0.0.1:8001' }), 403);
  assert.equal(refused(`/api?token=${token}`, { ...good, origin: 'null' }), 403);
  assert.equal(refused(`/api?token=${token}`, { host: good.host }), 403);
  assert.equal(refused(`/api?token=${token}`, { ...good, host: 'evil.example:8000' }), 403);
});

test('static paths stay under the root; dot-files and escapes are refused', () => {
  assert.equal(resolveUnder('/srv/ui', '/'), '/srv/ui/index.html');
  assert.equal(resolveUnder('/srv/ui', '/assets/a.js?v=1'), '/srv/ui/assets/a.js');
  for (const bad of [
    '/../x',
    '/%2e%2e/x',
    '/a/../../x',
    '/.env',
    '/a/.git/config',
    '/%00',
    '/%E0%A4%A',
  ]) {
    assert.equal(resolveUnder('/srv/ui', bad), null, bad);
  }
});

test('start:web arguments', () => {
  assert.deepEqual(parseWebArgs([]), { port: 0, uiDir: DEFAULT_UI_DIR });
  assert.deepEqual(parseWebArgs(['--port', '8123', '--ui-dir', '/x']), { port: 8123, uiDir: '/x' });
  for (const bad of [['--port'], ['--port', 'x'], ['--port', '70000'], ['--verbose']]) {
    assert.throws(() => parseWebArgs(bad), Error, bad.join(' '));
  }
});
