/**
 * The PIN prompt of the command-line tools for PKCS#11 tokens, worded as ssh(1) asks
 * ("Enter PIN for 'label': "), with what the token says about its PIN appended (count low,
 * final try), so a person knows before a wrong PIN locks the card. BatchMode asks nothing.
 */
import { describePinStatus, type PinCallback } from '../keys/index.js';
import type { Prompter } from './tty-prompt.js';

export function pinPrompt(
  prompter: Prompter,
  batchMode: boolean,
  io: { readonly err: (line: string) => void },
): PinCallback {
  return async ({ token, status }) => {
    if (batchMode) {
      io.err(`token '${token}' needs a PIN, and BatchMode asks for none`);
      return null;
    }
    return prompter.ask(`Enter PIN for '${token}'${describePinStatus(status)}: `, false);
  };
}
