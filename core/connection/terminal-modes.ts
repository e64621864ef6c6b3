/**
 * Encoded terminal modes for pty-req (RFC 4254 §8; IUTF8 from RFC 8160).
 *
 *   repeat { byte opcode ‖ uint32 argument }  byte TTY_OP_END (0)
 *
 * Opcodes 1–159 carry a uint32 argument; 160–255 are undefined and stop parsing (§8).
 * OpenSSH's ssh copies the local termios (tty_make_modes). Node cannot read termios, so the
 * defaults below are those of a freshly opened Linux tty in cooked mode (`stty sane` plus
 * IUTF8), which is what the remote side should emulate while the local terminal is raw.
 */
import { ConfigError } from '../errors.js';
import { SshReader } from '../wire/reader.js';
import { SshWriter } from '../wire/writer.js';

/** Opcode numbers by their RFC 4254 §8 names. */
export const TerminalMode = {
  VINTR: 1,
  VQUIT: 2,
  VERASE: 3,
  VKILL: 4,
  VEOF: 5,
  VEOL: 6,
  VEOL2: 7,
  VSTART: 8,
  VSTOP: 9,
  VSUSP: 10,
  VDSUSP: 11,
  VREPRINT: 12,
  VWERASE: 13,
  VLNEXT: 14,
  VFLUSH: 15,
  VSWTCH: 16,
  VSTATUS: 17,
  VDISCARD: 18,
  IGNPAR: 30,
  PARMRK: 31,
  INPCK: 32,
  ISTRIP: 33,
  INLCR: 34,
  IGNCR: 35,
  ICRNL: 36,
  IUCLC: 37,
  IXON: 38,
  IXANY: 39,
  IXOFF: 40,
  IMAXBEL: 41,
  IUTF8: 42,
  ISIG: 50,
  ICANON: 51,
  XCASE: 52,
  ECHO: 53,
  ECHOE: 54,
  ECHOK: 55,
  ECHONL: 56,
  NOFLSH: 57,
  TOSTOP: 58,
  IEXTEN: 59,
  ECHOCTL: 60,
  ECHOKE: 61,
  PENDIN: 62,
  OPOST: 70,
  OLCUC: 71,
  ONLCR: 72,
  OCRNL: 73,
  ONOCR: 74,
  ONLRET: 75,
  CS7: 90,
  CS8: 91,
  PARENB: 92,
  PARODD: 93,
  TTY_OP_ISPEED: 128,
  TTY_OP_OSPEED: 129,
} as const;

export type TerminalModeName = keyof typeof TerminalMode;
/** Modes by name; merged over (and overriding) the defaults in pty-req. */
export type TerminalModes = Partial<Record<TerminalModeName, number>>;

const TTY_OP_END = 0;
/** First undefined opcode: parsing stops there (§8). */
const FIRST_UNDEFINED = 160;

/** A Linux tty after `stty sane`, with IUTF8 on and 38400 baud. */
export const DEFAULT_TERMINAL_MODES: Readonly<TerminalModes> = {
  VINTR: 0x03, // ^C
  VQUIT: 0x1c, // ^\
  VERASE: 0x7f, // DEL
  VKILL: 0x15, // ^U
  VEOF: 0x04, // ^D
  VEOL: 0, // disabled (_POSIX_VDISABLE on Linux)
  VEOL2: 0,
  VSTART: 0x11, // ^Q
  VSTOP: 0x13, // ^S
  VSUSP: 0x1a, // ^Z
  VREPRINT: 0x12, // ^R
  VWERASE: 0x17, // ^W
  VLNEXT: 0x16, // ^V
  VDISCARD: 0x0f, // ^O
  IGNPAR: 0,
  PARMRK: 0,
  INPCK: 0,
  ISTRIP: 0,
  INLCR: 0,
  IGNCR: 0,
  ICRNL: 1,
  IUCLC: 0,
  IXON: 1,
  IXANY: 0,
  IXOFF: 0,
  IMAXBEL: 1,
  IUTF8: 1,
  ISIG: 1,
  ICANON: 1,
  XCASE: 0,
  ECHO: 1,
  ECHOE: 1,
  ECHOK: 1,
  ECHONL: 0,
  NOFLSH: 0,
  TOSTOP: 0,
  IEXTEN: 1,
  ECHOCTL: 1,
  ECHOKE: 1,
  PENDIN: 0,
  OPOST: 1,
  OLCUC: 0,
  ONLCR: 1,
  OCRNL: 0,
  ONOCR: 0,
  ONLRET: 0,
  CS7: 0,
  CS8: 1,
  PARENB: 0,
  PARODD: 0,
  TTY_OP_ISPEED: 38400,
  TTY_OP_OSPEED: 38400,
};

function isModeName(name: string): name is TerminalModeName {
  return Object.hasOwn(TerminalMode, name);
}

/** Encodes `modes` over the defaults (pass `defaults: {}` for none), in opcode order. */
export function encodeTerminalModes(
  modes: TerminalModes = {},
  defaults: Readonly<TerminalModes> = DEFAULT_TERMINAL_MODES,
): Uint8Array {
  const merged = new Map<number, number>();
  for (const source of [defaults, modes]) {
    for (const [name, value] of Object.entries(source)) {
      if (!isModeName(name)) throw new ConfigError(`unknown terminal mode ${name}`);
      if (value === undefined) continue;
      if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
        throw new ConfigError(`terminal mode ${name}: ${value} is not a uint32`);
      }
      merged.set(TerminalMode[name], value);
    }
  }
  const w = new SshWriter(merged.size * 5 + 1);
  for (const op of [...merged.keys()].sort((a, b) => a - b)) {
    w.writeByte(op).writeUint32(merged.get(op) ?? 0);
  }
  return w.writeByte(TTY_OP_END).toBytes();
}

/**
 * Decodes encoded terminal modes into opcode → argument. Parsing stops at TTY_OP_END or at
 * the first undefined opcode (160–255); a truncated argument is a ProtocolError. At most 159
 * entries, whatever the input length.
 */
export function decodeTerminalModes(encoded: Uint8Array): Map<number, number> {
  const r = new SshReader(encoded, 'terminal modes');
  const out = new Map<number, number>();
  while (r.remaining > 0) {
    const op = r.readByte();
    if (op === TTY_OP_END || op >= FIRST_UNDEFINED) break;
    out.set(op, r.readUint32());
  }
  return out;
}
