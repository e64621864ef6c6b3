// The Electron IPC binding (electron/ipc-binding.ts) with a fake ipcMain and webContents and
// the real service: calls from the main window's top frame on the app's page reach the
// dispatch; other senders, subframes and pages are refused before it; bad arguments get the
// dispatch's typed errors; events go to the main window only, and stop on close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_URL } from '../../../electron/app-protocol.js';
import {
  DRAG_OUT_CHANNEL,
  EVENT_CHANNEL,
  INVOKE_CHANNEL,
  MENU_CHANNEL,
  type IpcReply,
} from '../../../electron/ipc-channels.js';
import { boundService, FakeContents, topFrame } from './fake-electron.js';

const setup = boundService;

function errorOf(reply: IpcReply) {
  assert.equal(reply.ok, false, JSON.stringify(reply));
  return (reply as Extract<IpcReply, { ok: false }>).error;
}

test('a call from the main window top frame on the app page reaches the dispatch', async () => {
  const s = setup();
  try {
    const reply = await s.ipcMain.invoke(
      INVOKE_CHANNEL,
      s.contents,
      topFrame(`${APP_URL}#/hosts`),
      'parseQuickConnect',
      { text: 'alice@example.org:2222' },
    );
    assert.deepEqual(reply, {
      ok: true,
      value: { host: 'example.org', port: 2222, user: 'alice' },
    });
    const saved = await s.ipcMain.invoke(
      INVOKE_CHANNEL,
      s.contents,
      topFrame(APP_URL),
      'saveProfile',
      {
        profile: { name: 'box', host: 'box.example' },
      },
    );
    assert.equal(saved.ok, true);
    const list = await s.ipcMain.invoke(
      INVOKE_CHANNEL,
      s.contents,
      topFrame(APP_URL),
      'listHosts',
      {},
    );
    assert.ok(list.ok);
    assert.deepEqual(
      (list.value as { profiles: { name: string }[] }).profiles.map((p) => p.name),
      ['box'],
    );
    // void methods answer null (structured clone has no undefined-vs-missing issue to lean on)
    const id = (saved as { value: { id: string } }).value.id;
    assert.deepEqual(
      await s.ipcMain.invoke(INVOKE_CHANNEL, s.contents, topFrame(APP_URL), 'deleteProfile', {
        id,
      }),
      { ok: true, value: null },
    );
    assert.deepEqual(s.dispatched, [
      'parseQuickConnect',
      'saveProfile',
      'listHosts',
      'deleteProfile',
    ]);
  } finally {
    s.done();
  }
});

test('calls from another webContents, a subframe, another page or a gone frame are refused', async () => {
  const s = setup(async () => assert.fail('dragOut must not run for a refused sender'));
  try {
    const cases: [string, unknown, ReturnType<typeof topFrame> | null, RegExp][] = [
      ['other webContents', new FakeContents(), topFrame(APP_URL), /main window/],
      ['subframe', s.contents, { url: APP_URL, parent: topFrame(APP_URL) }, /subframe/],
      ['other page', s.contents, topFrame('https://evil.example/index.html'), /not the app/],
      ['file page', s.contents, topFrame('file:///tmp/index.html'), /not the app/],
      ['other app path', s.contents, topFrame('app://keyway/other.html'), /not the app/],
      ['gone frame', s.contents, null, /frame is gone/],
    ];
    for (const [what, sender, frame, why] of cases) {
      for (const channel of [INVOKE_CHANNEL, DRAG_OUT_CHANNEL]) {
        const e = errorOf(await s.ipcMain.invoke(channel, sender, frame, 'listHosts', {}));
        assert.equal(e.code, 'IPC_SENDER_REFUSED', what);
        assert.equal(e.name, 'IpcSenderError', what);
        assert.match(e.message, why, what);
      }
    }
    assert.deepEqual(s.dispatched, [], 'nothing reached the dispatch');
  } finally {
    s.done();
  }
});

test('bad arguments and unknown methods get the dispatch typed errors', async () => {
  const s = setup();
  try {
    const call = (method: unknown, args: unknown) =>
      s.ipcMain.invoke(INVOKE_CHANNEL, s.contents, topFrame(APP_URL), method, args);
    const bad = errorOf(await call('parseQuickConnect', { text: 42 }));
    assert.equal(bad.code, 'INVALID_ARGUMENT');
    assert.equal(bad.details['method'], 'parseQuickConnect');
    const extra = errorOf(await call('listHosts', { sneaky: true }));
    assert.equal(extra.code, 'INVALID_ARGUMENT');
    assert.equal(errorOf(await call('openDevTools', {})).code, 'UNKNOWN_METHOD');
    assert.equal(errorOf(await call({ not: 'a string' }, {})).code, 'UNKNOWN_METHOD');
    assert.equal(errorOf(await call('__proto__', {})).code, 'UNKNOWN_METHOD');
    // a handler's own typed error keeps its code across
    const notFound = errorOf(await call('deleteProfile', { id: 'nope' }));
    assert.equal(notFound.code, 'NOT_FOUND');
  } finally {
    s.done();
  }
});

test('events and menu commands go to the main window only, and stop when the binding closes', async () => {
  const s = setup();
  const other = new FakeContents();
  try {
    s.events.emit('hostsChanged', {});
    s.events.emit('promptClosed', { promptId: 'p1' });
    s.binding.sendMenuCommand('newTab');
    assert.deepEqual(s.contents.sent, [
      { channel: EVENT_CHANNEL, args: ['hostsChanged', {}] },
      { channel: EVENT_CHANNEL, args: ['promptClosed', { promptId: 'p1' }] },
      { channel: MENU_CHANNEL, args: ['newTab'] },
    ]);
    assert.deepEqual(other.sent, []);

    s.contents.destroyed = true; // a destroyed window gets nothing (send would throw)
    s.events.emit('hostsChanged', {});
    assert.equal(s.contents.sent.length, 3);
    s.contents.destroyed = false;

    s.binding.close();
    s.events.emit('hostsChanged', {});
    s.binding.sendMenuCommand('closeTab');
    assert.equal(s.contents.sent.length, 3);
    assert.equal(s.ipcMain.handlers.size, 0, 'handlers removed');
  } finally {
    s.done();
  }
});

test('drag out runs only for the app page and reports its errors typed', async () => {
  const seen: unknown[] = [];
  const s = setup(async (args) => {
    seen.push(args);
    if ((args as { path?: string }).path === '/fails') {
      throw Object.assign(new Error('no such file'), {
        code: 'SFTP_ERROR',
        details: { status: 2 },
      });
    }
  });
  try {
    const ok = await s.ipcMain.invoke(DRAG_OUT_CHANNEL, s.contents, topFrame(APP_URL), {
      connectionId: 'c1',
      path: '/etc/hosts',
    });
    assert.deepEqual(ok, { ok: true, value: null });
    const e = errorOf(
      await s.ipcMain.invoke(DRAG_OUT_CHANNEL, s.contents, topFrame(APP_URL), {
        connectionId: 'c1',
        path: '/fails',
      }),
    );
    assert.equal(e.code, 'SFTP_ERROR');
    assert.deepEqual(e.details, { status: 2 });
    assert.deepEqual(seen, [
      { connectionId: 'c1', path: '/etc/hosts' },
      { connectionId: 'c1', path: '/fails' },
    ]);
  } finally {
    s.done();
  }
});
