// The preload (electron/preload.cts) with a fake contextBridge and ipcRenderer: it exposes one
// frozen object of six functions as window.keyway and nothing else (no ipcRenderer, no
// event objects); its channel and event names agree with ipc-channels.ts and the contract;
// and joined to the real IPC binding and service it carries the contract: results, typed
// errors rebuilt by bridgeClient, events and menu commands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import preload from '../../../electron/preload.cjs';
import { APP_URL } from '../../../electron/app-protocol.js';
import * as channels from '../../../electron/ipc-channels.js';
import { bridgeClient, type KeywayBridge } from '../../../core/service/api/bridge.js';
import type { EventName } from '../../../core/service/api/contract.js';
import { ServiceCallError } from '../../../core/service/api/errors.js';
import { boundService, fakeIpcRenderer, topFrame } from './fake-electron.js';

function wired() {
  const b = boundService(async (args) => {
    throw Object.assign(new Error(`cannot drag ${JSON.stringify(args)}`), {
      code: 'NOT_CONNECTED',
    });
  });
  const exposed: [string, unknown][] = [];
  preload.exposeKeywayApi(
    { exposeInMainWorld: (key: string, api: unknown) => void exposed.push([key, api]) },
    fakeIpcRenderer(b.ipcMain, b.contents, topFrame(APP_URL)) as never,
    { getPathForFile: (f: File) => (f.name === 'a.txt' ? '/home/u/a.txt' : '') },
  );
  return { exposed, binding: b.binding, done: b.done };
}

test('preload exposes one frozen API of six functions and no Electron object', () => {
  const w = wired();
  try {
    assert.equal(w.exposed.length, 1);
    const [key, api] = w.exposed[0] ?? [];
    assert.equal(key, 'keyway');
    assert.ok(Object.isFrozen(api));
    assert.deepEqual(Object.keys(api as object).sort(), [
      'answerPrompt',
      'dragOut',
      'invoke',
      'on',
      'onMenuCommand',
      'pathForFile',
    ]);
    // a dropped file's path comes from Electron's webUtils
    const file = { name: 'a.txt' } as unknown as File;
    assert.equal((api as { pathForFile(f: File): string }).pathForFile(file), '/home/u/a.txt');
    for (const v of Object.values(api as object)) assert.equal(typeof v, 'function');
    assert.throws(() => {
      (api as Record<string, unknown>)['invoke'] = () => 'hijacked';
    }, TypeError);
    assert.equal(Object.getPrototypeOf(api), Object.prototype);
  } finally {
    w.done();
  }
});

test('preload channel and event names agree with ipc-channels.ts and the contract', () => {
  assert.deepEqual(preload.channels, {
    INVOKE_CHANNEL: channels.INVOKE_CHANNEL,
    DRAG_OUT_CHANNEL: channels.DRAG_OUT_CHANNEL,
    EVENT_CHANNEL: channels.EVENT_CHANNEL,
    MENU_CHANNEL: channels.MENU_CHANNEL,
  });
  assert.deepEqual(preload.menuCommands, [...channels.MENU_COMMANDS]);
  // a Record over EventName: adding an event to the contract fails to compile until listed
  const all: Record<EventName, true> = {
    connectionState: true,
    prompt: true,
    promptClosed: true,
    terminalData: true,
    terminalExit: true,
    transfer: true,
    hostsChanged: true,
    tunnelState: true,
  };
  assert.deepEqual([...preload.eventNames].sort(), Object.keys(all).sort());
});

test('through preload and binding: results, typed errors, events with the payload only', async () => {
  const w = wired();
  try {
    const bridge = w.exposed[0]?.[1] as KeywayBridge;
    const { api, on } = bridgeClient(bridge);
    assert.deepEqual(await api.parseQuickConnect({ text: 'bob@[::1]:22' }), {
      host: '::1',
      port: 22,
      user: 'bob',
    });

    const received: unknown[][] = [];
    const off = on('hostsChanged', (...args: unknown[]) => received.push(args));
    await api.saveProfile({ profile: { name: 'one', host: 'one.example' } });
    assert.deepEqual(received, [[{}]], 'the listener gets the payload alone, no event object');
    off();
    await api.saveProfile({ profile: { name: 'two', host: 'two.example' } });
    assert.equal(received.length, 1, 'unsubscribed');

    await assert.rejects(
      api.saveProfile({ profile: { name: 'x', host: 'bad host' } }),
      (e: unknown) =>
        e instanceof ServiceCallError && e.code === 'INVALID_ARGUMENT' && /host/.test(e.message),
    );
    // the raw preload rejects with a plain {name, code, message, details}
    await assert.rejects(bridge.invoke('listHosts', { extra: 1 }), (e: unknown) => {
      assert.equal((e as { code: string }).code, 'INVALID_ARGUMENT');
      assert.equal(e instanceof Error, false);
      return true;
    });
    await assert.rejects(
      bridge.answerPrompt('nope', { kind: 'secret', value: 'pw' }),
      (e: unknown) => (e as { code: string }).code === 'NOT_FOUND',
    );
    await assert.rejects(
      bridge.dragOut('c1', '/a'),
      (e: unknown) => (e as { code: string }).code === 'NOT_CONNECTED',
    );
    assert.throws(() => bridge.on('noSuchEvent' as EventName, () => {}), TypeError);

    const commands: string[] = [];
    bridge.onMenuCommand((c) => commands.push(c));
    w.binding.sendMenuCommand('closeTab');
    assert.deepEqual(commands, ['closeTab']);
  } finally {
    w.done();
  }
});
