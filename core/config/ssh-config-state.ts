/**
 * The options being resolved, the counterpart of OpenSSH's `Options` (readconf.h): every
 * value starts unset and the first one obtained sticks (ssh_config(5)); lists that
 * accumulate keep every occurrence. Scalars live in two maps keyed by the canonical keyword
 * (`ssh -G`'s name); the structured options have their own fields.
 */
import type { Forward, JumpSpec } from './ssh-config-values.js';

export interface FileEntry {
  readonly path: string;
  /** From a user's file or the command line (OpenSSH's userprovided). */
  readonly user: boolean;
}

export class ConfigState {
  /** Flags, choices (the word `ssh -G` prints), ints and times. */
  readonly nums = new Map<string, number>();
  /** Strings: choice words, strings, commands, algorithm lists. */
  readonly strs = new Map<string, string>();
  /** Whole-list options set once: known-hosts files, LogVerbose, CanonicalDomains, … */
  readonly lists = new Map<string, string[]>();
  readonly identityFiles: FileEntry[] = [];
  readonly certificateFiles: FileEntry[] = [];
  readonly localForwards: Forward[] = [];
  readonly remoteForwards: Forward[] = [];
  sendEnv: string[] = [];
  readonly setEnv: string[] = [];
  readonly permittedCnames: { source: string; target: string }[] = [];
  jump: JumpSpec | 'none' | undefined;
  /** Set by -J / ProxyJump so a later ProxyCommand is ignored (parse_jump). */
  /** Keywords read but ignored by IgnoreUnknown, with where (kept for reports). */
  readonly ignoredUnknown: string[] = [];
  /** Warnings to print (unsupported options, missing -i files…). */
  readonly warnings: string[] = [];

  num(name: string): number | undefined {
    return this.nums.get(name);
  }
  str(name: string): string | undefined {
    return this.strs.get(name);
  }
  /** Sets a scalar unless it is already set (first value wins). */
  setNum(name: string, v: number): void {
    if (!this.nums.has(name)) this.nums.set(name, v);
  }
  setStr(name: string, v: string): void {
    if (!this.strs.has(name)) this.strs.set(name, v);
  }
  setList(name: string, v: string[]): void {
    if (!this.lists.has(name)) this.lists.set(name, v);
  }

  addIdentity(path: string, user: boolean): void {
    if (!this.identityFiles.some((f) => f.path === path && f.user === user))
      this.identityFiles.push({ path, user });
  }
  addCertificate(path: string, user: boolean): void {
    if (!this.certificateFiles.some((f) => f.path === path && f.user === user))
      this.certificateFiles.push({ path, user });
  }
}

/** OpenSSH's limits (ssh.h / readconf.h). */
export const MAX_IDENTITY_FILES = 100;
export const MAX_CERTIFICATE_FILES = 100;
export const MAX_CANON_DOMAINS = 32;
