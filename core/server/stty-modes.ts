/**
 * The terminal modes of a pty-req (RFC 4254 §8) as stty(1) arguments, so that the pty the
 * bundled sshd opens starts the way the client asked (sshd's tty_parse_modes applies them with
 * tcsetattr; node-pty cannot, so `stty` does it in the child before the shell starts).
 *
 * Control characters become `intr ^C`-style arguments (255, _POSIX_VDISABLE, is `undef`),
 * flags `name` / `-name`, speeds `ispeed N` / `ospeed N`. Opcodes GNU stty has no word for
 * (VDSUSP, VSTATUS, VSWTCH, VFLUSH, PENDIN) are left out, as sshd leaves out what the local
 * termios lacks: one unknown word would make stty refuse the whole line.
 */
import { TerminalMode } from '../connection/index.js';

const CHARS: ReadonlyMap<number, string> = new Map([
  [TerminalMode.VINTR, 'intr'],
  [TerminalMode.VQUIT, 'quit'],
  [TerminalMode.VERASE, 'erase'],
  [TerminalMode.VKILL, 'kill'],
  [TerminalMode.VEOF, 'eof'],
  [TerminalMode.VEOL, 'eol'],
  [TerminalMode.VEOL2, 'eol2'],
  [TerminalMode.VSTART, 'start'],
  [TerminalMode.VSTOP, 'stop'],
  [TerminalMode.VSUSP, 'susp'],
  [TerminalMode.VREPRINT, 'rprnt'],
  [TerminalMode.VWERASE, 'werase'],
  [TerminalMode.VLNEXT, 'lnext'],
  [TerminalMode.VDISCARD, 'discard'],
]);

const FLAGS: ReadonlyMap<number, string> = new Map([
  [TerminalMode.IGNPAR, 'ignpar'],
  [TerminalMode.PARMRK, 'parmrk'],
  [TerminalMode.INPCK, 'inpck'],
  [TerminalMode.ISTRIP, 'istrip'],
  [TerminalMode.INLCR, 'inlcr'],
  [TerminalMode.IGNCR, 'igncr'],
  [TerminalMode.ICRNL, 'icrnl'],
  [TerminalMode.IUCLC, 'iuclc'],
  [TerminalMode.IXON, 'ixon'],
  [TerminalMode.IXANY, 'ixany'],
  [TerminalMode.IXOFF, 'ixoff'],
  [TerminalMode.IMAXBEL, 'imaxbel'],
  [TerminalMode.IUTF8, 'iutf8'],
  [TerminalMode.ISIG, 'isig'],
  [TerminalMode.ICANON, 'icanon'],
  [TerminalMode.XCASE, 'xcase'],
  [TerminalMode.ECHO, 'echo'],
  [TerminalMode.ECHOE, 'echoe'],
  [TerminalMode.ECHOK, 'echok'],
  [TerminalMode.ECHONL, 'echonl'],
  [TerminalMode.NOFLSH, 'noflsh'],
  [TerminalMode.TOSTOP, 'tostop'],
  [TerminalMode.IEXTEN, 'iexten'],
  [TerminalMode.ECHOCTL, 'echoctl'],
  [TerminalMode.ECHOKE, 'echoke'],
  [TerminalMode.OPOST, 'opost'],
  [TerminalMode.OLCUC, 'olcuc'],
  [TerminalMode.ONLCR, 'onlcr'],
  [TerminalMode.OCRNL, 'ocrnl'],
  [TerminalMode.ONOCR, 'onocr'],
  [TerminalMode.ONLRET, 'onlret'],
  [TerminalMode.PARENB, 'parenb'],
  [TerminalMode.PARODD, 'parodd'],
]);

/** Baud rates stty accepts (Linux termios). */
const SPEEDS = new Set([
  0, 50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 19200, 38400, 57600,
  115200, 230400, 460800, 500000, 576000, 921600, 1000000, 1152000, 1500000, 2000000, 2500000,
  3000000, 3500000, 4000000,
]);

function controlChar(v: number): string {
  if (v === 255 || v === 0) return 'undef';
  if (v < 0x20) return `^${String.fromCharCode(v + 0x40)}`;
  if (v === 0x7f) return '^?';
  if (v < 0x7f) return String.fromCharCode(v); // a printable character stands for itself
  return 'undef';
}

/** stty arguments for the modes, in opcode order; unknown opcodes and values are skipped. */
export function sttyArgs(modes: ReadonlyMap<number, number>): string[] {
  const out: string[] = [];
  for (const [op, value] of [...modes].sort((a, b) => a[0] - b[0])) {
    const ch = CHARS.get(op);
    if (ch !== undefined) {
      out.push(ch, controlChar(value));
      continue;
    }
    const flag = FLAGS.get(op);
    if (flag !== undefined) {
      out.push(value !== 0 ? flag : `-${flag}`);
      continue;
    }
    if (op === TerminalMode.CS7 && value !== 0) out.push('cs7');
    else if (op === TerminalMode.CS8 && value !== 0) out.push('cs8');
    else if (op === TerminalMode.TTY_OP_ISPEED && SPEEDS.has(value))
      out.push('ispeed', String(value));
    else if (op === TerminalMode.TTY_OP_OSPEED && SPEEDS.has(value))
      out.push('ospeed', String(value));
  }
  return out;
}

/** One word for sh: single-quoted unless it is plainly safe. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
