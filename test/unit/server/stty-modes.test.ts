/**
 * Terminal modes as stty words: every word we can produce is one GNU stty accepts on a real
 * pty (an unknown word would make stty refuse the whole line), with the values it reports back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as pty from 'node-pty';
import { TerminalMode, type TerminalModeName } from '../../../core/connection/index.js';
import {
  decodeTerminalModes,
  encodeTerminalModes,
} from '../../../core/connection/terminal-modes.js';
import { shellQuote, sttyArgs } from '../../../core/server/stty-modes.js';

function runInPty(script: string): Promise<string> {
  return new Promise((resolve) => {
    const p = pty.spawn('/bin/sh', ['-c', script], { cols: 80, rows: 24, encoding: null });
    const chunks: Buffer[] = [];
    p.onData((d: string | Buffer) => chunks.push(Buffer.from(d)));
    p.onExit(() => resolve(Buffer.concat(chunks).toString()));
  });
}

test('control characters, undef and printable ones', () => {
  const m = new Map([
    [TerminalMode.VINTR, 3],
    [TerminalMode.VERASE, 0x7f],
    [TerminalMode.VEOL, 255],
    [TerminalMode.VKILL, 0x40],
  ]);
  assert.deepEqual(sttyArgs(m), ['intr', '^C', 'erase', '^?', 'kill', '@', 'eol', 'undef']);
});

test('flags on and off, speeds; unknown opcodes and speeds are left out', () => {
  const m = new Map([
    [TerminalMode.ECHO, 0],
    [TerminalMode.IUTF8, 1],
    [TerminalMode.TTY_OP_ISPEED, 9600],
    [TerminalMode.TTY_OP_OSPEED, 12345],
    [TerminalMode.VDSUSP, 25],
    [TerminalMode.PENDIN, 1],
    [99, 1],
  ]);
  assert.deepEqual(sttyArgs(m), ['iutf8', '-echo', 'ispeed', '9600']);
});

test('every word, on and off, is accepted by stty on a pty and reported back', async () => {
  const names = Object.keys(TerminalMode) as TerminalModeName[];
  for (const on of [0, 1]) {
    const modes: Partial<Record<TerminalModeName, number>> = {};
    for (const n of names) if (!n.startsWith('V') && !n.startsWith('TTY_OP')) modes[n] = on;
    // the pty driver does not keep parity or 7-bit settings, and OLCUC would upper-case what
    // we read back: ask those off on both rounds
    Object.assign(modes, { PARENB: 0, PARODD: 0, CS7: 0, CS8: 1, OLCUC: 0, VINTR: 5, VSUSP: 255 });
    const args = sttyArgs(decodeTerminalModes(encodeTerminalModes(modes)));
    const out = await runInPty(`stty ${args.map(shellQuote).join(' ')} && stty -a && echo OK`);
    assert.match(out, /OK\r?\n$/, out);
    assert.match(out, /intr = \^E;/);
    assert.match(out, /susp = <undef>;/);
    const word = (w: string) => new RegExp(`(^|\\s)${on ? '' : '-'}${w}(\\s|$)`, 'm');
    for (const w of ['iutf8', 'echo', 'icanon', 'isig', 'opost', 'onlcr']) {
      assert.match(out, word(w), `${w} ${on ? 'on' : 'off'}`);
    }
  }
});
