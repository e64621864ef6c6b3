/**
 * `keyway keygen`: ssh-keygen(1)'s key generation and key inspection.
 *
 * Generating (-t ed25519|ecdsa|rsa, -b, -f, -N, -C, -a) writes an openssh-key-v1 private key
 * (mode 0600; with a passphrase, aes256-ctr under bcrypt-pbkdf, 16 rounds unless -a) and the
 * .pub (0644), each atomically, then prints the fingerprint and randomart as ssh-keygen does.
 * An existing file is replaced only when a person at the terminal says yes; without a
 * terminal that is an error. Missing -f and -N are asked for on the terminal, as ssh-keygen
 * asks; without one the default file is used and -N must be given. -p rewrites a key under a
 * new passphrase; -l, -y and -D are in keygen-show.ts. Exit status: 0, or 255 for a failure
 * (ssh-keygen's fatal()), 1 when the user declines to overwrite.
 */
import { mkdirSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { homedir, hostname, userInfo } from 'node:os';
import { dirname } from 'node:path';
import { SshError } from '../errors.js';
import {
  changeKeyFilePassphrase,
  KeyFileExistsError,
  writeNewKeyFile,
  type PassphraseCallback,
} from '../keys/index.js';
import { UsageError } from './args.js';
import { parseKeygenArgs, type KeygenArgs } from './keygen-args.js';
import {
  fingerprintOf,
  randomartOf,
  showFingerprints,
  showPublicKey,
  showTokenKeys,
  type KeygenIo,
} from './keygen-show.js';
import { expandHome } from './ssh-connect.js';
import { ttyPrompter, type Prompter } from './tty-prompt.js';

const exists = (p: string): Promise<boolean> =>
  lstat(p).then(
    () => true,
    () => false,
  );

/** A new passphrase, asked twice on the terminal; null when there is no terminal. */
async function askNewPassphrase(p: Prompter, io: KeygenIo): Promise<string | null> {
  for (let i = 0; i < 3; i++) {
    const first = await p.ask('Enter passphrase (empty for no passphrase): ', false);
    if (first === null) return null;
    const again = await p.ask('Enter same passphrase again: ', false);
    if (again === null) return null;
    if (first === again) return first;
    io.err('Passphrases do not match.  Try again.');
  }
  throw new UsageError('passphrases do not match');
}

/** -P as the only passphrase (one attempt), else asked on the terminal. */
function oldPassphrase(a: KeygenArgs, p: Prompter, prompt: string): [PassphraseCallback, number] {
  if (a.oldPassphrase !== undefined) {
    const given = a.oldPassphrase;
    return [async () => given, 1];
  }
  return [async () => p.ask(prompt, false), 3];
}

async function targetFile(a: KeygenArgs, p: Prompter): Promise<string> {
  if (a.file !== undefined) return expandHome(a.file);
  const dflt = `${homedir()}/.ssh/id_${a.typeName}`;
  const answer = await p.ask(`Enter file in which to save the key (${dflt}): `, true);
  return answer === null || answer === '' ? dflt : expandHome(answer);
}

async function generate(a: KeygenArgs, p: Prompter, io: KeygenIo): Promise<number> {
  const say = (l: string) => (a.quiet ? undefined : io.out(l));
  say(`Generating public/private ${a.typeName} key pair.`);
  const path = await targetFile(a, p);
  let replace = false;
  if (await exists(path)) {
    const answer = await p.ask(`${path} already exists.\nOverwrite (y/n)? `, true);
    if (answer === null) throw new KeyFileExistsError(path);
    if (!/^y/i.test(answer)) return 1;
    replace = true;
  }
  const dir = dirname(path);
  if (!(await exists(dir)) && dir === `${homedir()}/.ssh`) {
    mkdirSync(dir, { mode: 0o700 });
    say(`Created directory '${dir}'.`);
  }
  const passphrase = a.newPassphrase ?? (await askNewPassphrase(p, io));
  if (passphrase === null) {
    throw new UsageError('no terminal to ask for a passphrase: give -N ("" for none)');
  }
  const comment = a.comment ?? `${userInfo().username}@${hostname()}`;
  const key = await writeNewKeyFile(path, a.type, {
    ...(a.bits !== undefined ? { bits: a.bits } : {}),
    comment,
    passphrase,
    rounds: a.rounds,
    replace,
  });
  say(`Your identification has been saved in ${key.path}`);
  say(`Your public key has been saved in ${key.publicPath}`);
  say('The key fingerprint is:');
  say(`${fingerprintOf(key.publicKey, a.hash)} ${comment}`);
  say("The key's randomart image is:");
  say(randomartOf(key.publicKey, a.hash));
  return 0;
}

async function changePassphrase(a: KeygenArgs, p: Prompter, io: KeygenIo): Promise<number> {
  const path = await targetFile(a, p);
  const [passphrase, attempts] = oldPassphrase(a, p, 'Enter old passphrase: ');
  const newPassphrase = a.newPassphrase ?? (await askNewPassphrase(p, io));
  if (newPassphrase === null) {
    throw new UsageError('no terminal to ask for the new passphrase: give -N ("" for none)');
  }
  const { comment } = await changeKeyFilePassphrase(path, {
    passphrase,
    attempts,
    newPassphrase,
    rounds: a.rounds,
  });
  if (comment !== '') io.out(`Key has comment '${comment}'`);
  io.out('Your identification has been saved with the new passphrase.');
  return 0;
}

async function run(a: KeygenArgs, p: Prompter, io: KeygenIo): Promise<number> {
  switch (a.mode) {
    case 'generate':
      return generate(a, p, io);
    case 'passphrase':
      return changePassphrase(a, p, io);
    case 'fingerprint':
      await showFingerprints(await targetFile(a, p), a, io);
      return 0;
    case 'public': {
      const [passphrase, attempts] = oldPassphrase(a, p, 'Enter passphrase: ');
      await showPublicKey(await targetFile(a, p), passphrase, attempts, io);
      return 0;
    }
    case 'download':
      showTokenKeys(a.provider ?? '', io);
      return 0;
  }
}

export async function keygenMain(argv: readonly string[], io: KeygenIo): Promise<number> {
  const a = parseKeygenArgs(argv);
  try {
    return await run(a, ttyPrompter(false), io);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (!(e instanceof Error) || (!(e instanceof SshError) && typeof code !== 'string')) throw e;
    const path = (e as NodeJS.ErrnoException).path;
    io.err(
      code === 'ENOENT' && path !== undefined ? `${path}: No such file or directory` : e.message,
    );
    return 255;
  }
}
