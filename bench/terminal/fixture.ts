/**
 * Everything the terminal benchmark runs against, started on 127.0.0.1 in a temp dir and
 * stopped again by PID: a HOME with an ed25519 key, the text payload, `keyway sshd` and
 * Debian's OpenSSH sshd (test/interop/harness) both trusting that key, the browser host with
 * that HOME, and Debian's Chromium through playwright-core. close() stops each of them even if
 * another fails to stop, and removes the temp dir.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startOpenSsh } from '../../test/interop/harness/index.js';
import { launchChromium } from '../../test/support/chromium.js';
import { startKeywaySshd } from '../../test/support/keyway-sshd.js';
import { startBrowserHost } from './processes.js';
import { makeTextFile } from './text-file.js';

export interface BenchServer {
  /** How the tables name it, e.g. "keyway sshd" or "OpenSSH_9.2p1". */
  readonly name: string;
  readonly port: number;
}

export interface Fixture {
  readonly home: string;
  readonly key: string;
  readonly user: string;
  readonly payload: string;
  readonly servers: readonly BenchServer[];
  readonly url: string;
  readonly browser: Browser;
  close(): Promise<void>;
}

export async function startFixture(payloadBytes: number): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-bench-terminal-'));
  const stops: (() => Promise<unknown>)[] = [async () => rmSync(dir, { recursive: true })];
  const close = async () => {
    const errors: unknown[] = [];
    for (const stop of stops.reverse()) await stop().catch((e: unknown) => errors.push(e));
    if (errors.length > 0) throw new AggregateError(errors, 'cleanup failed');
  };
  try {
    const home = join(dir, 'home');
    mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
    const key = join(home, '.ssh', 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const line = readFileSync(`${key}.pub`, 'utf8').trim();
    const payload = join(dir, 'payload.txt');
    makeTextFile(payload, payloadBytes);

    const keyway = await startKeywaySshd({ authorizedKeys: [line] });
    stops.push(() => keyway.stop());
    const openssh = await startOpenSsh({ authorizedKeys: [line], hostKeyTypes: ['ed25519'] });
    stops.push(() => openssh.stop());
    const host = await startBrowserHost({
      HOME: home,
      XDG_CONFIG_HOME: join(dir, 'config'),
      SSH_AUTH_SOCK: '',
    });
    stops.push(() => host.stop());
    const browser = await launchChromium();
    stops.push(() => browser.close());
    return {
      home,
      key,
      user: userInfo().username,
      payload,
      servers: [
        { name: 'keyway sshd', port: keyway.port },
        { name: openssh.version, port: openssh.port },
      ],
      url: host.url,
      browser,
      close,
    };
  } catch (e) {
    await close().catch(() => {});
    throw e;
  }
}
