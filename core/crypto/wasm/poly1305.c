/*
 * Poly1305 (RFC 8439 §2.5) for chacha20-poly1305@openssh.com, compiled to WebAssembly by
 * scripts/build-wasm.sh into poly1305-wasm.ts. Node has no raw Poly1305, and in JavaScript it
 * is the bottleneck of that cipher's packet path.
 *
 * Arithmetic mod p = 2^130 − 5 with h and r as five 26-bit limbs in 32-bit words; each
 * product of limbs fits in 52 bits and a sum of five of them (one limb of h·r, with the
 * limbs above 2^130 folded back times 5) stays below 2^64, so it is computed in uint64.
 * Two blocks are absorbed per step as h ← (h + m₁)·r² + m₂·r, which has the same number of
 * multiplications as two single steps but one carry chain instead of two, and two
 * independent product sums the CPU can overlap.
 *
 * No libc: the module imports nothing and exports its memory, __heap_base and poly1305().
 * The caller places the 32-byte one-time key, the message and room for the 16-byte tag at or
 * above __heap_base, growing the memory when a message needs it.
 */
typedef unsigned int u32;
typedef unsigned long long u64;

#define MASK 0x3ffffffu

static inline u32 load32(const unsigned char *p) {
  u32 v;
  __builtin_memcpy(&v, p, 4); /* WebAssembly is little-endian, as Poly1305 wants */
  return v;
}

static inline void store32(unsigned char *p, u32 v) { __builtin_memcpy(p, &v, 4); }

/* a·b for 26-bit (or 29-bit, for 5·r) limbs */
#define MUL(a, b) ((u64)(a) * (b))

/*
 * The product sums d0..d4 carried into five 26-bit limbs o0..o4; the carry out of the top
 * limb (bits 130 and up) comes back times 5, since 2^130 ≡ 5 (mod p).
 */
#define CARRY(o0, o1, o2, o3, o4)                                                          \
  do {                                                                                     \
    c = d0 >> 26; o0 = (u32)d0 & MASK; d1 += c;                                            \
    c = d1 >> 26; o1 = (u32)d1 & MASK; d2 += c;                                            \
    c = d2 >> 26; o2 = (u32)d2 & MASK; d3 += c;                                            \
    c = d3 >> 26; o3 = (u32)d3 & MASK; d4 += c;                                            \
    c = d4 >> 26; o4 = (u32)d4 & MASK;                                                     \
    o0 += (u32)c * 5; o1 += o0 >> 26; o0 &= MASK;                                          \
  } while (0)

__attribute__((export_name("poly1305"))) void poly1305(const unsigned char *key,
                                                      const unsigned char *m, u32 len,
                                                      unsigned char *tag) {
  /* r, clamped (r &= 0x0ffffffc0ffffffc0ffffffc0fffffff), split at bits 26, 52, 78, 104 */
  const u32 r0 = load32(key + 0) & 0x3ffffff;
  const u32 r1 = (load32(key + 3) >> 2) & 0x3ffff03;
  const u32 r2 = (load32(key + 6) >> 4) & 0x3ffc0ff;
  const u32 r3 = (load32(key + 9) >> 6) & 0x3f03fff;
  const u32 r4 = (load32(key + 12) >> 8) & 0x00fffff;
  const u32 s1 = r1 * 5, s2 = r2 * 5, s3 = r3 * 5, s4 = r4 * 5;

  u32 h0 = 0, h1 = 0, h2 = 0, h3 = 0, h4 = 0;
  u64 d0, d1, d2, d3, d4, c;

  if (len >= 32) {
    /* r² = r·r, reduced to 26-bit limbs the same way as h */
    d0 = MUL(r0, r0) + MUL(r1, s4) + MUL(r2, s3) + MUL(r3, s2) + MUL(r4, s1);
    d1 = MUL(r0, r1) + MUL(r1, r0) + MUL(r2, s4) + MUL(r3, s3) + MUL(r4, s2);
    d2 = MUL(r0, r2) + MUL(r1, r1) + MUL(r2, r0) + MUL(r3, s4) + MUL(r4, s3);
    d3 = MUL(r0, r3) + MUL(r1, r2) + MUL(r2, r1) + MUL(r3, r0) + MUL(r4, s4);
    d4 = MUL(r0, r4) + MUL(r1, r3) + MUL(r2, r2) + MUL(r3, r1) + MUL(r4, r0);
    u32 q0, q1, q2, q3, q4;
    CARRY(q0, q1, q2, q3, q4);
    const u32 t1 = q1 * 5, t2 = q2 * 5, t3 = q3 * 5, t4 = q4 * 5;

    while (len >= 32) {
      /* a = h + m₁ (with the 2^128 pad bit), b = m₂ */
      const u32 a0 = h0 + (load32(m + 0) & MASK);
      const u32 a1 = h1 + ((load32(m + 3) >> 2) & MASK);
      const u32 a2 = h2 + ((load32(m + 6) >> 4) & MASK);
      const u32 a3 = h3 + ((load32(m + 9) >> 6) & MASK);
      const u32 a4 = h4 + ((load32(m + 12) >> 8) | (1u << 24));
      const u32 b0 = load32(m + 16) & MASK;
      const u32 b1 = (load32(m + 19) >> 2) & MASK;
      const u32 b2 = (load32(m + 22) >> 4) & MASK;
      const u32 b3 = (load32(m + 25) >> 6) & MASK;
      const u32 b4 = (load32(m + 28) >> 8) | (1u << 24);

      /* a·r² + b·r */
      d0 = MUL(a0, q0) + MUL(a1, t4) + MUL(a2, t3) + MUL(a3, t2) + MUL(a4, t1) +
           MUL(b0, r0) + MUL(b1, s4) + MUL(b2, s3) + MUL(b3, s2) + MUL(b4, s1);
      d1 = MUL(a0, q1) + MUL(a1, q0) + MUL(a2, t4) + MUL(a3, t3) + MUL(a4, t2) +
           MUL(b0, r1) + MUL(b1, r0) + MUL(b2, s4) + MUL(b3, s3) + MUL(b4, s2);
      d2 = MUL(a0, q2) + MUL(a1, q1) + MUL(a2, q0) + MUL(a3, t4) + MUL(a4, t3) +
           MUL(b0, r2) + MUL(b1, r1) + MUL(b2, r0) + MUL(b3, s4) + MUL(b4, s3);
      d3 = MUL(a0, q3) + MUL(a1, q2) + MUL(a2, q1) + MUL(a3, q0) + MUL(a4, t4) +
           MUL(b0, r3) + MUL(b1, r2) + MUL(b2, r1) + MUL(b3, r0) + MUL(b4, s4);
      d4 = MUL(a0, q4) + MUL(a1, q3) + MUL(a2, q2) + MUL(a3, q1) + MUL(a4, q0) +
           MUL(b0, r4) + MUL(b1, r3) + MUL(b2, r2) + MUL(b3, r1) + MUL(b4, r0);

      CARRY(h0, h1, h2, h3, h4);

      m += 32;
      len -= 32;
    }
  }

  unsigned char last[16];
  while (len > 0) {
    u32 pad = 1u << 24;
    const unsigned char *p = m;
    if (len < 16) {
      /* the final partial block: its bytes, a 1 byte, zeros, and no 2^128 bit */
      for (u32 i = 0; i < 16; i++) last[i] = i < len ? m[i] : i == len ? 1 : 0;
      p = last;
      pad = 0;
    }
    h0 += load32(p + 0) & MASK;
    h1 += (load32(p + 3) >> 2) & MASK;
    h2 += (load32(p + 6) >> 4) & MASK;
    h3 += (load32(p + 9) >> 6) & MASK;
    h4 += (load32(p + 12) >> 8) | pad;

    d0 = MUL(h0, r0) + MUL(h1, s4) + MUL(h2, s3) + MUL(h3, s2) + MUL(h4, s1);
    d1 = MUL(h0, r1) + MUL(h1, r0) + MUL(h2, s4) + MUL(h3, s3) + MUL(h4, s2);
    d2 = MUL(h0, r2) + MUL(h1, r1) + MUL(h2, r0) + MUL(h3, s4) + MUL(h4, s3);
    d3 = MUL(h0, r3) + MUL(h1, r2) + MUL(h2, r1) + MUL(h3, r0) + MUL(h4, s4);
    d4 = MUL(h0, r4) + MUL(h1, r3) + MUL(h2, r2) + MUL(h3, r1) + MUL(h4, r0);

    CARRY(h0, h1, h2, h3, h4);

    if (len < 16) break;
    m += 16;
    len -= 16;
  }

  /* full carry, then h mod p: subtract p when h ≥ p (constant time) */
  u32 k;
  k = h1 >> 26; h1 &= MASK; h2 += k;
  k = h2 >> 26; h2 &= MASK; h3 += k;
  k = h3 >> 26; h3 &= MASK; h4 += k;
  k = h4 >> 26; h4 &= MASK; h0 += k * 5;
  k = h0 >> 26; h0 &= MASK; h1 += k;

  u32 g0 = h0 + 5; k = g0 >> 26; g0 &= MASK;
  u32 g1 = h1 + k; k = g1 >> 26; g1 &= MASK;
  u32 g2 = h2 + k; k = g2 >> 26; g2 &= MASK;
  u32 g3 = h3 + k; k = g3 >> 26; g3 &= MASK;
  u32 g4 = h4 + k - (1u << 26);
  const u32 keep = (g4 >> 31) - 1; /* all ones when h + 5 − 2^130 did not borrow: h ≥ p */
  h0 = (h0 & ~keep) | (g0 & keep);
  h1 = (h1 & ~keep) | (g1 & keep);
  h2 = (h2 & ~keep) | (g2 & keep);
  h3 = (h3 & ~keep) | (g3 & keep);
  h4 = (h4 & ~keep) | (g4 & keep);

  /* tag = (h + s) mod 2^128, s being the key's second half */
  const u32 w0 = h0 | (h1 << 26);
  const u32 w1 = (h1 >> 6) | (h2 << 20);
  const u32 w2 = (h2 >> 12) | (h3 << 14);
  const u32 w3 = (h3 >> 18) | (h4 << 8);
  u64 f;
  f = (u64)w0 + load32(key + 16); store32(tag + 0, (u32)f);
  f = (u64)w1 + load32(key + 20) + (f >> 32); store32(tag + 4, (u32)f);
  f = (u64)w2 + load32(key + 24) + (f >> 32); store32(tag + 8, (u32)f);
  f = (u64)w3 + load32(key + 28) + (f >> 32); store32(tag + 12, (u32)f);
}
