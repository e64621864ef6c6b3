/**
 * Tunnels in the UI, in Debian's Chromium against the browser host and keyway sshd: Add tunnel
 * on a connection opens a form; a bad port is refused there, the dialog staying open; a -L
 * tunnel listens, carries a TCP echo both ways and counts its connection; a -R tunnel on port 0
 * shows the port the server picked, which reaches the echo server from the server's side; a
 * disconnect puts the tunnels back to waiting and a reconnect starts them again; Remove closes
 * the listener. A saved host's tunnels open when it connects, marked saved; one added by hand
 * on its connection is saved to it with Save (the host's form then lists it), which a
 * quick-connect connection's tunnels do not offer.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection, createServer, type AddressInfo, type Server } from 'node:net';
import type { Locator } from 'playwright-core';
import { addHostForm, quickConnect, startUiRig, until, type UiRig } from '../support/e2e-ui.js';

let rig: UiRig;
let echo: Server;
let echoPort: number;

before(async () => {
  rig = await startUiRig('tunnels');
  echo = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as AddressInfo).port;
});

after(async () => {
  await rig?.close();
  await new Promise((r) => echo?.close(r));
});

/** A loopback port nothing listens on now. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** Sends `text` through 127.0.0.1:`port` and resolves with what comes back. */
function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = createConnection({ host: '127.0.0.1', port });
    let got = '';
    c.on('error', reject);
    c.on('connect', () => c.write(text));
    c.on('data', (d) => {
      got += d.toString();
      if (got.length >= text.length) {
        c.end();
        resolve(got);
      }
    });
  });
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ host: '127.0.0.1', port });
    c.on('connect', () => {
      c.destroy();
      resolve(false);
    });
    c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

async function statusOf(row: Locator): Promise<string> {
  return row.locator('.tunnel-status').innerText();
}

test('add -L and -R tunnels, use them, see them wait and come back, remove one', async () => {
  const { page } = rig;
  const sshdPort = rig.sshd.port;
  await page.goto(rig.url);
  await quickConnect(rig, `127.0.0.1:${sshdPort}`);
  const label = new RegExp(`@127\\.0\\.0\\.1:${sshdPort}$`);
  await page.locator('.connection', { hasText: 'connected' }).waitFor();

  // -L, with a bad port first: refused in the dialog, which stays open
  await page.getByRole('button', { name: /^Add tunnel to / }).click();
  const dialog = page.getByRole('dialog', { name: /^Add tunnel to / });
  await dialog.waitFor();
  await dialog.getByLabel('Port', { exact: true }).fill('99999');
  await dialog.getByRole('button', { name: 'Add' }).click();
  assert.match(
    await dialog.getByRole('alert').innerText(),
    /The listening port is a number, 1 to 65535/,
  );
  const localPort = await freePort();
  await dialog.getByLabel('Port', { exact: true }).fill(String(localPort));
  await dialog.getByLabel('Target host or socket path').fill('127.0.0.1');
  await dialog.getByLabel('Target port').fill(String(echoPort));
  await rig.shot('add-tunnel');
  await dialog.getByRole('button', { name: 'Add' }).click();
  await dialog.waitFor({ state: 'detached' });

  const tunnels = page.getByRole('list', { name: label });
  const local = page.locator('.tunnel', { hasText: `${localPort}:127.0.0.1:${echoPort}` });
  await local.waitFor();
  assert.match(await local.locator('code').innerText(), /^-L /);
  await until(async () => /^listening on port /.test(await statusOf(local)), '-L listening');
  assert.equal(await roundTrip(localPort, 'through -L'), 'through -L');
  await until(async () => /1 in all/.test(await statusOf(local)), 'the -L connection counted');

  // -R on port 0: the server picks the port, shown in the row
  await page.getByRole('button', { name: /^Add tunnel to / }).click();
  await dialog.waitFor();
  await dialog.getByLabel(/Remote: a port on the server/).check();
  await dialog.getByLabel('Server port').fill('0');
  await dialog.getByLabel('Target host or socket path').fill('127.0.0.1');
  await dialog.getByLabel('Target port').fill(String(echoPort));
  await dialog.getByRole('button', { name: 'Add' }).click();
  await dialog.waitFor({ state: 'detached' });
  const remote = page.locator('.tunnel', { hasText: '-R ' });
  await until(
    async () => /^listening on server port \d+/.test(await statusOf(remote)),
    '-R listening',
  );
  const serverPort = Number(/server port (\d+)/.exec(await statusOf(remote))?.[1]);
  assert.ok(serverPort > 0);
  assert.equal(await roundTrip(serverPort, 'through -R'), 'through -R');
  await rig.shot('tunnels', 'tunnels');
  assert.equal(await tunnels.locator('.tunnel').count(), 2);

  // a disconnect puts both back to waiting; a reconnect starts them again
  await page.locator('.connection').getByRole('button', { name: 'Disconnect' }).click();
  await until(
    async () => (await statusOf(local)) === 'waiting for the connection',
    '-L waiting after the disconnect',
  );
  assert.equal(await refused(localPort), true);
  await page.locator('.connection').getByRole('button', { name: 'Reconnect' }).click();
  await until(async () => /^listening on port /.test(await statusOf(local)), '-L again');
  assert.equal(await roundTrip(localPort, 'after reconnect'), 'after reconnect');

  // Remove closes the listener and the row goes
  await local.getByRole('button', { name: /^Remove tunnel / }).click();
  await local.waitFor({ state: 'detached' });
  assert.equal(await refused(localPort), true);
  assert.equal(await tunnels.locator('.tunnel').count(), 1);
});

test("a saved host's tunnels open when it connects, marked saved", async () => {
  const { page } = rig;
  const savedPort = await freePort();
  // another name for the same server: its own connection (one per user@host:port)
  const form = await addHostForm(page, {
    name: 'With a tunnel',
    host: 'localhost',
    port: rig.sshd.port,
  });
  const tunnels = form.getByLabel(/^Tunnels, opened on connect/);
  await tunnels.fill('-L 0:127.0.0.1:1');
  await form.getByRole('button', { name: 'Save' }).click();
  assert.match(await form.getByRole('alert').innerText(), /Bad local forwarding specification/);
  await tunnels.fill(`-L ${savedPort}:127.0.0.1:${echoPort}`);
  await form.getByRole('button', { name: 'Save' }).click();
  await form.waitFor({ state: 'detached' });

  await page.getByRole('button', { name: 'Connect to With a tunnel' }).click();
  const hostKey = page.getByRole('dialog', { name: 'Unknown host key' });
  await hostKey.waitFor();
  await hostKey.getByRole('button', { name: 'Accept and save' }).click();
  const row = page.locator('.tunnel', { hasText: `${savedPort}:127.0.0.1:${echoPort}` });
  await row.waitFor();
  assert.equal(await row.locator('.origin').innerText(), 'saved');
  await until(async () => /^listening on port /.test(await statusOf(row)), 'saved -L listening');
  assert.equal(await roundTrip(savedPort, 'saved tunnel'), 'saved tunnel');

  // one added by hand on this saved host's connection: Save keeps it with the host
  const byHand = await freePort();
  await page
    .getByRole('button', { name: new RegExp(`^Add tunnel to .*@localhost:${rig.sshd.port}$`) })
    .click();
  const dialog = page.getByRole('dialog', { name: /^Add tunnel to / });
  await dialog.getByLabel('Port', { exact: true }).fill(String(byHand));
  await dialog.getByLabel('Target host or socket path').fill('127.0.0.1');
  await dialog.getByLabel('Target port').fill(String(echoPort));
  await dialog.getByRole('button', { name: 'Add' }).click();
  await dialog.waitFor({ state: 'detached' });
  const added = page.locator('.tunnel', { hasText: `${byHand}:127.0.0.1:${echoPort}` });
  await added.waitFor();
  assert.equal(await added.locator('.origin').count(), 0);
  await added.getByRole('button', { name: /^Save tunnel .* to the host$/ }).click();
  await until(async () => (await added.locator('.origin').count()) === 1, 'marked saved');
  assert.equal(await added.locator('.origin').innerText(), 'saved');
  assert.equal(await added.getByRole('button', { name: /^Save tunnel / }).count(), 0);
  await rig.shot('tunnel-saved');
  // the host's form has it now, after the one it had
  await page.getByRole('button', { name: 'Edit With a tunnel' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit With a tunnel' });
  const lines = await edit.getByLabel(/^Tunnels, opened on connect/).inputValue();
  assert.deepEqual(lines.split('\n'), [
    `-L ${savedPort}:127.0.0.1:${echoPort}`,
    `-L ${byHand}:127.0.0.1:${echoPort}`,
  ]);
  await edit.getByRole('button', { name: 'Cancel' }).click();
  // the quick-connect connection is no saved host: its tunnels offer no Save
  assert.equal(await page.getByRole('button', { name: /^Save tunnel / }).count(), 0);
});
