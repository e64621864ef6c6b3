/**
 * Open modes for SSH_FXP_OPEN (draft-ietf-secsh-filexfer-02 §6.3): the fs-like strings that
 * callers know ('r', 'w', 'a+', …) as SSH_FXF_* bits, or raw bits passed through after a check.
 * The strings mean what Node's fs flags mean: 'w' creates and truncates, 'wx' refuses an
 * existing file, 'a' appends.
 */
import { OpenFlag } from './constants.js';

export type OpenMode = 'r' | 'r+' | 'w' | 'w+' | 'wx' | 'a' | 'a+' | number;

const { READ, WRITE, APPEND, CREAT, TRUNC, EXCL } = OpenFlag;

const MODES: Readonly<Record<string, number>> = {
  r: READ,
  'r+': READ | WRITE,
  w: WRITE | CREAT | TRUNC,
  'w+': READ | WRITE | CREAT | TRUNC,
  wx: WRITE | CREAT | EXCL,
  a: WRITE | CREAT | APPEND,
  'a+': READ | WRITE | CREAT | APPEND,
};

/** Every bit version 3 defines. */
const ALL_FLAGS = READ | WRITE | APPEND | CREAT | TRUNC | EXCL;

/** The pflags word for a mode; RangeError for an unknown string or undefined bits. */
export function openFlags(mode: OpenMode): number {
  if (typeof mode === 'number') {
    if (!Number.isInteger(mode) || mode < 0 || (mode & ~ALL_FLAGS) !== 0) {
      throw new RangeError(`open flags 0x${mode.toString(16)} are not SSH_FXF_* bits`);
    }
    return mode;
  }
  const flags = MODES[mode];
  if (flags === undefined) throw new RangeError(`unknown open mode '${String(mode)}'`);
  return flags;
}
