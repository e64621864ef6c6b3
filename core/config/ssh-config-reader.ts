/**
 * Reading ssh_config files into a ConfigState, as OpenSSH 9.2's readconf.c
 * read_config_file_depth does: line by line, each Host/Match line switching whether the lines
 * after it apply; Include reads each matching file in place (parse-only inside a block that
 * does not apply), nested at most 16 deep, and the including file's Host/Match state is
 * restored afterwards. Included files and ~/.ssh/config must not be writable by others.
 */
import { fstatSync, openSync, readFileSync, closeSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { applyLine, type LineContext } from './ssh-config-apply.js';
import { globPaths, includePath } from './ssh-config-include.js';
import { evaluateMatch, type LocalContext } from './ssh-config-match.js';
import type { ConfigState } from './ssh-config-state.js';

export const MAX_INCLUDE_DEPTH = 16;

export interface ReadOptions {
  readonly local: LocalContext;
  /** Host patterns are matched against this name. */
  readonly host: string;
  readonly originalHost: string;
  readonly userConfig: boolean;
  readonly finalPass: boolean;
  /** Refuse files others can write (SSHCONF_CHECKPERM). */
  readonly checkPerm: boolean;
  readonly wantFinal: () => void;
}

/** Reads a file; false when it does not exist (not an error for the default files). */
export function readConfigFile(st: ConfigState, file: string, o: ReadOptions): boolean {
  const active = { value: true };
  return readDepth(st, file, o, active, false, 0);
}

function readDepth(
  st: ConfigState,
  file: string,
  o: ReadOptions,
  active: { value: boolean },
  neverMatch: boolean,
  depth: number,
): boolean {
  if (depth > MAX_INCLUDE_DEPTH)
    throw new ConfigError(`${file}: Too many recursive configuration includes`);
  let text: string;
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new ConfigError(`Can't open user config file ${file}: ${(e as Error).message}`);
  }
  try {
    const s = fstatSync(fd);
    const uid = process.getuid?.() ?? 0;
    if (o.checkPerm && ((s.uid !== 0 && s.uid !== uid) || (s.mode & 0o022) !== 0))
      throw new ConfigError(`Bad owner or permissions on ${file}`);
    if (s.isDirectory()) return true;
    text = readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, n) => {
    const where = `${file} line ${n + 1}`;
    const ctx: LineContext = {
      where,
      commandLine: false,
      userConfig: o.userConfig,
      neverMatch,
      host: o.host,
      active: active.value,
      env: o.local.env,
      match: (words) =>
        evaluateMatch(words, {
          where,
          local: o.local,
          host: o.host,
          originalHost: o.originalHost,
          finalPass: o.finalPass,
          wantFinal: o.wantFinal,
          state: st,
        }),
      include: (words) => {
        const wasActive = ctx.active;
        for (const w of words) {
          const home = o.local.env['HOME'] ?? o.local.home;
          for (const path of globPaths(includePath(w, o.userConfig, home))) {
            const inner = { value: wasActive };
            readDepth(
              st,
              path,
              { ...o, checkPerm: true },
              inner,
              neverMatch || !wasActive,
              depth + 1,
            );
          }
        }
        ctx.active = wasActive;
      },
    };
    applyLine(st, raw, ctx);
    active.value = ctx.active;
  });
  return true;
}
