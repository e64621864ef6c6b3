/**
 * Which primitives node:crypto really has in this runtime, found once at load time by
 * known-answer self-tests, and the choice between node:crypto and @noble for each.
 *
 * Electron's Node is built on BoringSSL, which has no raw 'chacha20' cipher and may lack
 * others that OpenSSL has, so nothing is assumed: each primitive is exercised exactly as the
 * packet code uses it (continuing streams, AAD, tag checks, 128-bit counter carry) and compared
 * with published vectors, inside try/catch. A primitive that throws or answers wrongly is
 * reported unavailable and the @noble implementation is used instead.
 *
 * Vectors: RFC 8439 §2.3.2 (ChaCha20 block), McGrew–Viega GCM test cases 2 and 14, AES-CTR
 * over the full 128-bit counter wrap (ff…ff → 00…00, checked against AES-ECB and noble), and
 * RFC 4231 test case 2 (HMAC-SHA-256/512).
 */
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { ConfigError } from '../errors.js';
import { fromHex, toHex } from '../wire/bytes.js';
import type { CryptoBackend } from './cipher/types.js';

/** node:crypto primitives the packet code can use, by the name node:crypto gives them. */
export type NativeAlgorithm =
  | 'chacha20'
  | 'aes-128-gcm'
  | 'aes-256-gcm'
  | 'aes-128-ctr'
  | 'aes-192-ctr'
  | 'aes-256-ctr'
  | 'sha256'
  | 'sha512';

export type ResolvedBackend = 'node' | 'noble';

function passes(test: () => boolean): boolean {
  try {
    return test();
  } catch {
    return false;
  }
}

/** Raw ChaCha20 with OpenSSH's layout: IV = le64(block counter) ‖ be64(nonce). */
function testChaCha20(): boolean {
  const key = fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
  // Counter 0; the stream must continue into block 1, which is the RFC 8439 §2.3.2 block.
  const c = createCipheriv('chacha20', key, fromHex('00000000000000090000004a00000000'));
  c.update(new Uint8Array(64));
  const block1 = c.update(new Uint8Array(64));
  return (
    toHex(block1) ===
    '10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e' +
      'd2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e'
  );
}

/** AES-GCM: encrypt, decrypt with tag check, and refuse a wrong tag. */
function testGcm(name: 'aes-128-gcm' | 'aes-256-gcm', ctHex: string, tagHex: string): boolean {
  const key = new Uint8Array(name === 'aes-128-gcm' ? 16 : 32);
  const iv = new Uint8Array(12);
  const aad = new Uint8Array(0);
  const enc = createCipheriv(name, key, iv, { authTagLength: 16 });
  enc.setAAD(aad);
  const ct = enc.update(new Uint8Array(16));
  enc.final();
  if (toHex(ct) !== ctHex || toHex(enc.getAuthTag()) !== tagHex) return false;
  const dec = createDecipheriv(name, key, iv, { authTagLength: 16 });
  dec.setAAD(aad);
  dec.setAuthTag(fromHex(tagHex));
  const pt = dec.update(ct);
  dec.final();
  if (pt.length !== 16 || pt.some((b) => b !== 0)) return false;
  const bad = createDecipheriv(name, key, iv, { authTagLength: 16 });
  bad.setAAD(aad);
  const wrongTag = fromHex(tagHex);
  wrongTag[0] = (wrongTag[0] ?? 0) ^ 1;
  bad.setAuthTag(wrongTag);
  bad.update(ct);
  try {
    bad.final();
  } catch {
    return true;
  }
  return false;
}

/** AES-CTR: one persistent object, two calls, counter ff…ff carrying into 00…00. */
function testCtr(name: 'aes-128-ctr' | 'aes-192-ctr' | 'aes-256-ctr', expectHex: string): boolean {
  const n = name === 'aes-128-ctr' ? 16 : name === 'aes-192-ctr' ? 24 : 32;
  const key = Uint8Array.from({ length: n }, (_, i) => i);
  const c = createCipheriv(name, key, new Uint8Array(16).fill(0xff));
  const a = c.update(new Uint8Array(16));
  const b = c.update(new Uint8Array(16));
  return toHex(a) + toHex(b) === expectHex;
}

function testHmac(hash: 'sha256' | 'sha512', expectHex: string): boolean {
  const mac = createHmac(hash, new TextEncoder().encode('Jefe'))
    .update(new TextEncoder().encode('what do ya want for nothing?'))
    .digest();
  return toHex(mac) === expectHex;
}

const detected: Readonly<Record<NativeAlgorithm, boolean>> = {
  chacha20: passes(testChaCha20),
  'aes-128-gcm': passes(() =>
    testGcm('aes-128-gcm', '0388dace60b6a392f328c2b971b2fe78', 'ab6e47d42cec13bdf53a67b21257bddf'),
  ),
  'aes-256-gcm': passes(() =>
    testGcm('aes-256-gcm', 'cea7403d4d606b6e074ec5d3baf39d18', 'd0d1c8a799996bf0265b98b5d48ab919'),
  ),
  'aes-128-ctr': passes(() =>
    testCtr('aes-128-ctr', '3c441f32ce07822364d7a2990e50bb13c6a13b37878f5b826f4f8162a1c8d879'),
  ),
  'aes-192-ctr': passes(() =>
    testCtr('aes-192-ctr', '01d8f99a19ab91f02c06d73bf2248888916251821c73a522c396d62738019607'),
  ),
  'aes-256-ctr': passes(() =>
    testCtr('aes-256-ctr', 'e999e41d4ca770da5387117b5d8f57eef29000b62a499fd0a9f39a6add2e7780'),
  ),
  sha256: passes(() =>
    testHmac('sha256', '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'),
  ),
  sha512: passes(() =>
    testHmac(
      'sha512',
      '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554' +
        '9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
    ),
  ),
};

/**
 * What node:crypto can do here, per family (true only when every member passed its self-test).
 * The transport orders its default cipher list by this: without native chacha20, aes-gcm is
 * faster and is offered first.
 */
export const nativeAvailable: Readonly<{
  chacha20: boolean;
  aesGcm: boolean;
  aesCtr: boolean;
  hmacSha2: boolean;
}> = Object.freeze({
  chacha20: detected.chacha20,
  aesGcm: detected['aes-128-gcm'] && detected['aes-256-gcm'],
  aesCtr: detected['aes-128-ctr'] && detected['aes-192-ctr'] && detected['aes-256-ctr'],
  hmacSha2: detected.sha256 && detected.sha512,
});

/** True when node:crypto passed the self-test for this exact primitive. */
export function hasNative(alg: NativeAlgorithm): boolean {
  return detected[alg];
}

/**
 * Picks the implementation for one primitive. 'auto' prefers node:crypto when its self-test
 * passed; 'noble' always works; 'node' throws ConfigError when the runtime lacks it.
 */
export function resolveBackend(
  alg: NativeAlgorithm,
  requested: CryptoBackend = 'auto',
  what: string = alg,
): ResolvedBackend {
  return chooseBackend(detected[alg], requested, what, alg);
}

/** The decision of resolveBackend() for a given availability (separate so it can be tested). */
export function chooseBackend(
  available: boolean,
  requested: CryptoBackend,
  what: string,
  primitive: string = what,
): ResolvedBackend {
  switch (requested) {
    case 'noble':
      return 'noble';
    case 'node':
      if (available) return 'node';
      throw new ConfigError(`${what}: node:crypto in this runtime has no working ${primitive}`, {
        algorithm: what,
        primitive,
      });
    case 'auto':
      return available ? 'node' : 'noble';
    default:
      throw new ConfigError(`unknown crypto backend ${String(requested)}`, { backend: requested });
  }
}
