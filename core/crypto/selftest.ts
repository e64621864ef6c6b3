/**
 * Backend self-tests. node:crypto is the fast path, but what it offers depends on the runtime
 * (OpenSSL in Node, BoringSSL in Electron, FIPS or crypto-policy builds that refuse SHA-1
 * signatures). Each fast path is enabled only after a known-answer test passes; the test runs
 * once, on first use of that algorithm, on fixed inputs — never on peer data — so a failing
 * or missing algorithm falls back to @noble/* instead of failing a connection.
 */

/** Runs `test` once, on first call; true only if it returned true without throwing. */
export function selfTest(test: () => boolean): () => boolean {
  let result: boolean | undefined;
  return () => {
    if (result === undefined) {
      try {
        result = test();
      } catch {
        result = false;
      }
    }
    return result;
  };
}

/** Unsigned byte equality (for known-answer checks; not constant time). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
