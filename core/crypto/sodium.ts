/**
 * libsodium's ChaCha20 and Poly1305 through the sodium-native package, for
 * chacha20-poly1305@openssh.com: the one cipher whose primitives node:crypto cannot give at
 * speed. node:crypto has no Poly1305 at all (its AEAD authenticates another message), its raw
 * 'chacha20' hands back a new buffer for every call and is missing where Node is built on
 * BoringSSL (Electron), and the WebAssembly Poly1305 runs at about 2.2 GB/s. libsodium XORs in
 * place into a buffer the caller gives and has SIMD code for both.
 *
 * Loaded once, lazily from the first use, and checked against known answers exactly as the
 * packet code calls it (OpenSSH's layout: 64-bit block counter, 8-byte nonce, a stream
 * started at block 1; RFC 8439 §2.5.2's Poly1305 vector). `sodium()` is null when the package
 * or its prebuilt binary for this platform is missing or answers wrongly; the caller then
 * keeps node:crypto's or @noble's ChaCha20 and the WebAssembly Poly1305.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fromHex, toHex } from '../wire/bytes.js';

/** The two libsodium calls chacha20-poly1305@openssh.com needs. */
export interface SodiumChaChaPoly {
  /**
   * `out` = `input` XOR ChaCha20(`key`, `nonce`) from block `counter`: the original layout,
   * 8-byte nonce and 64-bit block counter. `out` and `input` have one length and may be one
   * buffer.
   */
  chacha20Xor(
    out: Uint8Array,
    input: Uint8Array,
    nonce: Uint8Array,
    counter: number,
    key: Uint8Array,
  ): void;
  /** Poly1305 of `message` under the 32-byte one-time `key`, written into the 16-byte `tag`. */
  poly1305(tag: Uint8Array, message: Uint8Array, key: Uint8Array): void;
}

/** The part of sodium-native's API used here (it ships no type declarations). */
interface SodiumNative {
  crypto_stream_chacha20_xor_ic(
    c: Uint8Array,
    m: Uint8Array,
    n: Uint8Array,
    ic: number,
    k: Uint8Array,
  ): void;
  crypto_onetimeauth(out: Uint8Array, input: Uint8Array, k: Uint8Array): void;
}

/**
 * Block 1 of ChaCha20 for key 00 01 … 1f and nonce 00 00 00 00 01 02 03 04 (a sequence number
 * of 0x01020304 as OpenSSH writes it), XORed onto zeros: what node:crypto's 'chacha20' and
 * @noble's chacha20orig both give.
 */
const CHACHA_BLOCK1 =
  '96c21cb2db1126a9d46d24fca8405a74012d14d733b96dde8d724caa215a2fd8' +
  '60dd20412570f941c2022b9b7be8de0f8e4fbb05cb4d0e6be8423f04c2b84b2d';

function selfTest(s: SodiumChaChaPoly): boolean {
  const key = Uint8Array.from({ length: 32 }, (_, i) => i);
  const nonce = fromHex('0000000001020304');
  const block = new Uint8Array(64);
  s.chacha20Xor(block, block, nonce, 1, key);
  if (toHex(block) !== CHACHA_BLOCK1) return false;
  // the same stream in place over a longer input: its first block must agree
  const long = new Uint8Array(200);
  s.chacha20Xor(long, long, nonce, 1, key);
  if (toHex(long.subarray(0, 64)) !== CHACHA_BLOCK1) return false;
  const tag = new Uint8Array(16);
  s.poly1305(
    tag,
    new TextEncoder().encode('Cryptographic Forum Research Group'),
    fromHex('85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b'),
  );
  return toHex(tag) === 'a8061dc1305136c6c22b8baf0c0127a9';
}

/**
 * sodium-native's addon. Its own entry finds the addon through require-addon, whose module
 * resolution takes ~10 ms; its prebuilds/<platform>-<arch> directory, where it has one for
 * this machine, loads in ~1 ms (measured in Node 24). The entry stays the fallback.
 */
function loadNative(): unknown {
  const require = createRequire(import.meta.url);
  try {
    const dir = dirname(require.resolve('sodium-native/package.json'));
    const prebuild = `${process.platform}-${process.arch}`;
    return require(join(dir, 'prebuilds', prebuild, 'sodium-native.node'));
  } catch {
    return require('sodium-native');
  }
}

/** sodium-native, adapted and checked; null when it cannot be loaded or answers wrongly. */
export function loadSodium(load: () => unknown = loadNative): SodiumChaChaPoly | null {
  try {
    const native = load() as SodiumNative;
    const s: SodiumChaChaPoly = {
      chacha20Xor: (out, input, nonce, counter, key) =>
        native.crypto_stream_chacha20_xor_ic(out, input, nonce, counter, key),
      poly1305: (tag, message, key) => native.crypto_onetimeauth(tag, message, key),
    };
    return selfTest(s) ? s : null;
  } catch {
    return null;
  }
}

let loaded: SodiumChaChaPoly | null | undefined;

/** The process's libsodium, loaded on first call; null when this runtime has none that works. */
export function sodium(): SodiumChaChaPoly | null {
  if (loaded === undefined) loaded = loadSodium();
  return loaded;
}
