/**
 * One ssh_config(5) line applied to the options being resolved: OpenSSH 9.2's readconf.c
 * process_config_line_depth. Values are checked even where the line does not apply (so a
 * malformed file fails whichever host it is read for); they are stored only while the
 * current Host/Match block applies, and only if the option is still unset, except for the
 * options that accumulate. Errors are ConfigErrors naming file and line.
 */
import { ConfigError } from '../errors.js';
import { lookupKeyword, type Choice } from './ssh-config-keywords.js';
import { lexLine, type LexedLine } from './ssh-config-lexer.js';
import { matchPattern } from '../hosts/index.js';
import { patternListMatch, validAlgorithms, validGssKex } from './ssh-config-algorithms.js';
import type { ConfigState } from './ssh-config-state.js';
import {
  MAX_CANON_DOMAINS,
  MAX_CERTIFICATE_FILES,
  MAX_IDENTITY_FILES,
} from './ssh-config-state.js';
import { dollarExpand } from './ssh-config-tokens.js';
import { a2port } from './port-name.js';
import {
  a2tun,
  convtime,
  logFacilityName,
  logLevelName,
  parseEscapeChar,
  parseForward,
  parseIpqos,
  parseJump,
  sameForward,
  scanScaled,
  validDomain,
} from './ssh-config-values.js';

/** Where a line is read and what Host/Match/Include need to do their work. */
export interface LineContext {
  readonly where: string;
  /** A -o option: Host, Match and Include are refused. */
  readonly commandLine: boolean;
  /** From a user's file or the command line (not /etc/ssh/ssh_config). */
  readonly userConfig: boolean;
  /** Inside an Include read from a block that does not apply: parse only. */
  readonly neverMatch: boolean;
  /** The name Host patterns are matched against. */
  readonly host: string;
  /** Whether the current Host/Match block applies; Host and Match lines set it. */
  active: boolean;
  /** Evaluates a Match line's criteria (ssh-config-match.ts). */
  readonly match: (criteria: string[]) => boolean;
  /** Reads the files an Include names. */
  readonly include: (paths: string[]) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

function fail(ctx: LineContext, message: string): never {
  throw new ConfigError(`${ctx.where}: ${message}`);
}

function choose(ctx: LineContext, c: Choice, arg: string | undefined): number {
  const l = (arg ?? '').toLowerCase();
  if (arg === undefined || arg === '') fail(ctx, 'missing argument.');
  const w = c.words.find(([word]) => word === l);
  if (!w) fail(ctx, `unsupported option "${arg}".`);
  return w[1];
}

/** The word `ssh -G` prints for a choice value. */
export function choiceWord(c: Choice, v: number): string {
  if (c.print === 'yesno') return v === 0 ? 'no' : v === 1 ? 'yes' : 'UNKNOWN';
  return c.words.find(([, n]) => n === v)?.[0] ?? 'UNKNOWN';
}

function parseTime(ctx: LineContext, arg: string | undefined): number {
  if (arg === undefined || arg === '') fail(ctx, 'missing time value.');
  if (arg === 'none') return -1;
  const v = convtime(arg);
  if (v === undefined) fail(ctx, 'invalid time value.');
  return v;
}

function parseInt32(ctx: LineContext, arg: string | undefined): number {
  if (arg === undefined || !/^-?\d+$/.test(arg) || Math.abs(Number(arg)) > 2 ** 31 - 1)
    fail(ctx, `integer value ${arg === undefined ? 'missing' : 'invalid'}.`);
  return Number(arg);
}

/** Arguments for list options: "none" only alone, no empty words. */
function checkedList(ctx: LineContext, kw: string, args: string[], allowAny = false): string[] {
  args.forEach((a, i) => {
    if (a === '') fail(ctx, `keyword ${kw} empty argument`);
    const l = a.toLowerCase();
    if ((l === 'none' || (allowAny && l === 'any')) && (i > 0 || args.length > 1))
      fail(ctx, `keyword ${kw} "${a}" argument must appear alone.`);
  });
  return args;
}

/** The raw rest of a line for command-valued options (strspn of blanks and '='). */
function commandText(rest: string): string {
  return rest.replace(/^[ \t\r\n=]+/, '');
}

/** Applies one line (raw text) to `st`. Returns the lexed line, or undefined if blank. */
export function applyLine(st: ConfigState, raw: string, ctx: LineContext): LexedLine | undefined {
  const lexed = lexLine(raw, ctx.where);
  if (!lexed) return undefined;
  applyLexed(st, lexed, ctx);
  return lexed;
}

export function applyLexed(st: ConfigState, lexed: LexedLine, ctx: LineContext): void {
  const { keyword, args, rest } = lexed;
  const kw = lookupKeyword(keyword);
  if (!kw) {
    const ignored = st.str('ignoreunknown');
    if (ignored !== undefined && patternListMatch(keyword, ignored, true) === 1) {
      st.ignoredUnknown.push(`${ctx.where}: ${lexed.written}`);
      return;
    }
    fail(ctx, `Bad configuration option: ${keyword}`);
  }
  const on = ctx.active;
  let used = 1; // arguments consumed; more is "extra arguments at end of line"
  const a0 = args[0];
  const name = kw.name;
  switch (kw.kind.t) {
    case 'ignore':
    case 'deprecated':
      return;
    case 'unsupported':
      st.warnings.push(`${ctx.where}: Unsupported option "${keyword}"`);
      return;
    case 'choice': {
      const v = choose(ctx, kw.kind.choice, a0);
      if (on) st.setNum(name, v);
      break;
    }
    case 'int': {
      const v = parseInt32(ctx, a0);
      if (on) st.setNum(name, v);
      break;
    }
    case 'time': {
      const v = parseTime(ctx, a0);
      if (on) st.setNum(name, v);
      break;
    }
    case 'string':
      if (a0 === undefined || a0 === '') fail(ctx, 'Missing argument.');
      if (on) st.setStr(name, a0);
      break;
    case 'command':
      if (on) st.setStr(name, commandText(rest));
      return;
    case 'strarray': {
      checkedList(ctx, keyword, args);
      if (args.length > kw.kind.max) fail(ctx, `too many ${keyword} entries.`);
      if (on) st.setList(name, [...args]);
      return;
    }
    case 'algorithms':
      if (a0 === undefined || a0 === '') fail(ctx, 'Missing argument.');
      if (!validAlgorithms(kw.kind.set, a0)) fail(ctx, `Bad ${keyword} spec '${a0}'.`);
      if (on) st.setStr(name, a0);
      break;
    case 'gsskex':
      if (a0 === undefined || !validGssKex(a0))
        fail(ctx, `Bad GSSAPI KexAlgorithms '${a0 ?? ''}'.`);
      if (on) st.setStr(name, a0);
      break;
    case 'special':
      used = applySpecial(st, name, keyword, lexed, ctx);
      break;
  }
  if (args.length > used) fail(ctx, `keyword ${keyword} extra arguments at end of line`);
}

/** The options with their own syntax; returns how many arguments were used. */
function applySpecial(
  st: ConfigState,
  name: string,
  keyword: string,
  { args, rest }: LexedLine,
  ctx: LineContext,
): number {
  const on = ctx.active;
  const a0 = args[0];
  const need = (): string => {
    if (a0 === undefined || a0 === '') fail(ctx, 'Missing argument.');
    return a0;
  };
  switch (name) {
    case 'host': {
      if (ctx.commandLine) fail(ctx, 'Host directive not supported as a command-line option');
      let active = false;
      for (const p of args) {
        if (p === '') fail(ctx, `keyword ${keyword} empty argument`);
        if (ctx.neverMatch) break;
        const negated = p.startsWith('!');
        if (matchPattern(ctx.host, negated ? p.slice(1) : p)) {
          if (negated) {
            active = false;
            break;
          }
          active = true;
        }
      }
      ctx.active = active;
      return args.length;
    }
    case 'match': {
      if (ctx.commandLine) fail(ctx, 'Host directive not supported as a command-line option');
      const r = ctx.match(args);
      ctx.active = ctx.neverMatch ? false : r;
      return args.length;
    }
    case 'include':
      if (ctx.commandLine) fail(ctx, 'Include directive not supported as a command-line option');
      for (const p of args) {
        if (p === '') fail(ctx, `keyword ${keyword} empty argument`);
        if (p.startsWith('~') && !ctx.userConfig) fail(ctx, `bad include path ${p}.`);
      }
      ctx.include(args);
      return args.length;
    case 'forwardagent': {
      const v = need();
      const w = ['true', 'false', 'yes', 'no'].indexOf(v.toLowerCase());
      if (w >= 0) {
        if (on) st.setNum(name, w % 2 === 0 ? 1 : 0);
        return 1;
      }
      checkAgentPath(ctx, v);
      if (on && !st.nums.has(name)) {
        st.setNum(name, 1);
        st.setStr('forwardagentpath', v);
      }
      return 1;
    }
    case 'identityagent': {
      const v = need();
      checkAgentPath(ctx, v);
      if (on) st.setStr(name, v);
      return 1;
    }
    case 'identityfile':
      need();
      if (on) {
        if (st.identityFiles.length >= MAX_IDENTITY_FILES)
          fail(ctx, `Too many identity files specified (max ${MAX_IDENTITY_FILES}).`);
        st.addIdentity(need(), ctx.userConfig);
      }
      return 1;
    case 'certificatefile':
      need();
      if (on) {
        if (st.certificateFiles.length >= MAX_CERTIFICATE_FILES)
          fail(ctx, `Too many certificate files specified (max ${MAX_CERTIFICATE_FILES}).`);
        st.addCertificate(need(), ctx.userConfig);
      }
      return 1;
    case 'proxycommand':
      // ignored when ProxyJump was set first
      if (on && st.jump === undefined) st.setStr(name, commandText(rest));
      return args.length;
    case 'proxyjump': {
      const text = commandText(rest);
      const j = parseJump(text);
      if (!j) fail(ctx, `Invalid ProxyJump "${text}"`);
      if (on && !st.strs.has('proxycommand') && st.jump === undefined) {
        st.jump = j;
        if (j !== 'none') st.strs.set('proxycommand', 'none');
      }
      return args.length;
    }
    case 'port': {
      const p = a2port(need());
      if (p === undefined || p <= 0) fail(ctx, `Bad port '${a0 ?? ''}'.`);
      if (on) st.setNum(name, p);
      return 1;
    }
    case 'rekeylimit': {
      const v = need();
      let bytes: number;
      if (v === 'default') bytes = 0;
      else {
        const n = scanScaled(v);
        if (n === undefined) fail(ctx, `Bad number '${v}'`);
        if (n !== 0 && n < 16) fail(ctx, 'RekeyLimit too small');
        bytes = n;
      }
      if (on) st.setNum('rekeylimit', bytes);
      const t = args[1];
      if (t !== undefined && t !== 'none') {
        const secs = parseTime(ctx, t);
        if (on) st.setNum('rekeyinterval', secs);
      }
      return args.length > 1 ? 2 : 1;
    }
    case 'localforward':
    case 'remoteforward':
    case 'dynamicforward': {
      const first = need();
      const remote = name === 'remoteforward';
      let dynamic = name === 'dynamicforward';
      let spec = first;
      let used = 1;
      if (!dynamic) {
        const second = args[1];
        if (second === undefined || second === '') {
          if (remote) dynamic = true;
          else fail(ctx, 'Missing target argument.');
        } else {
          spec = `${first}:${second}`;
          used = 2;
        }
      }
      const expanded = dollarExpand(spec, ctx.env);
      const fwd = expanded === undefined ? undefined : parseForward(expanded, dynamic, remote);
      if (!fwd) fail(ctx, 'Bad forwarding specification.');
      if (on) {
        const into = remote ? st.remoteForwards : st.localForwards;
        if (!into.some((f) => sameForward(f, fwd))) into.push(fwd);
      }
      return used;
    }
    case 'permitremoteopen': {
      if (args.length === 0) fail(ctx, `missing ${keyword} specification`);
      checkedList(ctx, keyword, args, true);
      for (const a of args) {
        const l = a.toLowerCase();
        if (l === 'none' || l === 'any') continue;
        const colon = a.startsWith('[') ? a.indexOf(']:') + 1 : a.indexOf(':');
        if (colon <= 0 || a.slice(0, colon) === '') fail(ctx, `missing host in ${keyword}`);
        const port = a.slice(colon + 1);
        if (port !== '*' && !((a2port(port) ?? 0) > 0)) fail(ctx, `bad port number in ${keyword}`);
      }
      if (on) st.setList(name, [...args]);
      return args.length;
    }
    case 'sendenv':
      for (const a of args) {
        if (a === '' || a.includes('=')) fail(ctx, 'Invalid environment name.');
        if (!on) continue;
        if (a.startsWith('-')) st.sendEnv = st.sendEnv.filter((e) => !matchPattern(e, a.slice(1)));
        else st.sendEnv.push(a);
      }
      return args.length;
    case 'setenv': {
      const wasEmpty = st.setEnv.length === 0;
      for (const a of args) {
        if (!a.includes('=')) fail(ctx, 'Invalid SetEnv.');
        if (!on || !wasEmpty) continue;
        const n = a.slice(0, a.indexOf('='));
        if (st.setEnv.some((e) => e.slice(0, e.indexOf('=')) === n)) continue;
        st.setEnv.push(a);
      }
      return args.length;
    }
    case 'controlpersist': {
      const v = need();
      let timeout = 0;
      let value: number;
      if (v === 'no' || v === 'false') value = 0;
      else if (v === 'yes' || v === 'true') value = 1;
      else {
        const t = convtime(v);
        if (t === undefined) fail(ctx, 'Bad ControlPersist argument.');
        value = 1;
        timeout = t;
      }
      if (on && !st.nums.has(name)) {
        st.setNum(name, value);
        st.setNum('controlpersisttimeout', timeout);
      }
      return 1;
    }
    case 'tunneldevice': {
      const t = a2tun(need());
      if (!t) fail(ctx, 'Bad tun device.');
      if (on && !st.nums.has('tunnellocal')) {
        st.setNum('tunnellocal', t.local);
        st.setNum('tunnelremote', t.remote);
      }
      return 1;
    }
    case 'ipqos': {
      const i = parseIpqos(a0 ?? '');
      if (i === undefined) fail(ctx, `Bad IPQoS value: ${a0 ?? '(null)'}`);
      const b = args[1] === undefined ? i : parseIpqos(args[1]);
      if (b === undefined) fail(ctx, `Bad IPQoS value: ${args[1] ?? ''}`);
      if (on && !st.nums.has('ipqos')) {
        st.setNum('ipqos', i);
        st.setNum('ipqosbulk', b);
      }
      return args.length > 1 ? 2 : 1;
    }
    case 'escapechar': {
      const e = parseEscapeChar(need());
      if (e === undefined) fail(ctx, 'Bad escape character.');
      if (on) st.setNum(name, e);
      return 1;
    }
    case 'loglevel': {
      const l = logLevelName(a0 ?? '');
      if (!l) fail(ctx, `unsupported log level '${a0 ?? '<NONE>'}'`);
      if (on) st.setStr(name, l);
      return 1;
    }
    case 'syslogfacility': {
      const f = logFacilityName(a0 ?? '');
      if (!f) fail(ctx, `unsupported log facility '${a0 ?? '<NONE>'}'`);
      st.setStr(name, f); // as in readconf.c, regardless of the block
      return 1;
    }
    case 'logverbose':
      checkedList(ctx, keyword, args);
      if (on) st.setList(name, [...args]);
      return args.length;
    case 'canonicaldomains': {
      checkedList(ctx, keyword, args);
      const domains = args.map((a) => {
        const d = validDomain(a);
        if ('error' in d) fail(ctx, d.error);
        return d.ok;
      });
      if (domains.length > MAX_CANON_DOMAINS) fail(ctx, 'too many hostname suffixes.');
      if (on) st.setList(name, domains);
      return args.length;
    }
    case 'canonicalizepermittedcnames': {
      const rules = args.map((a, i) => {
        if (a.toLowerCase() === 'none') {
          if (i > 0 || args.length > 1)
            fail(ctx, `keyword ${keyword} "none" argument must appear alone.`);
          return { source: a, target: '' };
        }
        if (a === '*') return { source: '*', target: '*' };
        const l = a.toLowerCase();
        const colon = l.indexOf(':');
        if (colon < 0 || colon === l.length - 1) fail(ctx, `Invalid permitted CNAME "${a}"`);
        return { source: l.slice(0, colon), target: l.slice(colon + 1) };
      });
      if (rules.length > MAX_CANON_DOMAINS) fail(ctx, 'too many permitted CNAMEs.');
      if (on && st.permittedCnames.length === 0) st.permittedCnames.push(...rules);
      return args.length;
    }
    case 'streamlocalbindmask': {
      const v = need();
      const m = /^[0-7]+/.exec(v);
      if (!m || parseInt(m[0], 8) > 0o777) fail(ctx, 'Bad mask.');
      st.nums.set(name, parseInt(m[0], 8)); // readconf.c: the last value, any block
      return 1;
    }
    case 'fingerprinthash': {
      const v = need().toLowerCase();
      const h = v === 'md5' ? 'MD5' : v === 'sha256' ? 'SHA256' : undefined;
      if (!h) fail(ctx, `Invalid hash algorithm "${a0 ?? ''}".`);
      if (on) st.setStr(name, h);
      return 1;
    }
    case 'addkeystoagent': {
      const words = ['false', 'no', 'true', 'yes', 'ask', 'confirm'];
      const vals = [0, 0, 1, 1, 2, 3];
      const wi = words.indexOf((a0 ?? '').toLowerCase());
      let value = wi >= 0 ? (vals[wi] ?? 0) : -1;
      let life = 0;
      const a1 = args[1];
      if (value === 3 && a1 !== undefined) {
        const t = convtime(a1);
        if (t === undefined) fail(ctx, 'invalid time value.');
        life = t;
      } else if (value === -1 && a1 === undefined) {
        const t = convtime(a0 ?? '');
        if (t === undefined) fail(ctx, 'unsupported option');
        life = t;
        value = 1;
      } else if (value === -1 || a1 !== undefined) {
        fail(ctx, 'unsupported option');
      }
      if (on && !st.nums.has(name)) {
        st.setNum(name, value);
        st.setNum('addkeystoagentlifespan', life);
      }
      return args.length > 1 ? 2 : 1;
    }
    default:
      fail(ctx, `Unimplemented option ${keyword}`);
  }
}

/** readconf.c parse_agent_path's checks: ${VAR} well formed, legacy $VAR a valid name. */
function checkAgentPath(ctx: LineContext, v: string): void {
  if (/\$\{[^}]*$/.test(v) || v.includes('${}')) fail(ctx, `Invalid environment expansion ${v}.`);
  if (v.startsWith('$') && !v.startsWith('${') && !/^\$[A-Za-z0-9_]+$/.test(v))
    fail(ctx, `Invalid environment name ${v}.`);
}
