/**
 * The service's one window onto ~/.ssh/config (ssh_config(5)): which `Host` aliases to list
 * and what options apply to a host. Everything the service knows about ssh_config goes through
 * here, so the resolver (core/config) can be replaced behind these two functions.
 * Aliases are the Host patterns without wildcards or negation, in file order, each once.
 */
import { readFile } from 'node:fs/promises';
import { CONFIG_FILE_KEYWORDS } from '../../config/config-keywords.js';
import { parseSshConfig, resolveHost, type SshConfig } from '../../config/ssh-config.js';
import { applyOption, emptyOptions, type SshOptions } from '../../config/ssh-options.js';
import { ConfigError } from '../../errors.js';

export interface SshConfigFile {
  readonly aliases: readonly string[];
  /** The options for `host` (as typed), first value wins; ConfigError for a bad value. */
  optionsFor(host: string): SshOptions;
}

const EMPTY: SshConfigFile = { aliases: [], optionsFor: () => emptyOptions() };

/** Reads `file`; a missing file is an empty config, a malformed one a ConfigError. */
export async function loadSshConfig(file: string): Promise<SshConfigFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY;
    throw new ConfigError(`${file}: ${(e as Error).message}`, { file });
  }
  const config: SshConfig = parseSshConfig(text, file);
  const aliases: string[] = [];
  for (const b of config.blocks) {
    if (b.kind !== 'host') continue;
    for (const p of b.patterns) {
      if (!/[*?!]/.test(p) && !aliases.includes(p)) aliases.push(p);
    }
  }
  return {
    aliases,
    optionsFor: (host) => {
      const o = emptyOptions();
      for (const [keyword, values] of resolveHost(config, host)) {
        if (!CONFIG_FILE_KEYWORDS.has(keyword)) continue;
        for (const args of values) applyOption(o, keyword, args, file);
      }
      return o;
    },
  };
}
