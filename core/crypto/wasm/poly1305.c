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
 * Messages of SIMD_MIN bytes and more go four blocks at a time through WebAssembly SIMD first:
 * four accumulators, one per lane of an i32x4, each absorbing every fourth block as
 * H ← (H + m)·r⁴, and the last group of four times r⁴, r³, r², r by lane, so that the lanes
 * add up to what the one-block rule gives. i64x2.extmul makes two 32×32→64 products at once,
 * where the scalar loop makes one, and the blocks that remain go through the scalar loops.
 * The bounds are the scalar ones: limbs below 2^26 (two a little above after a carry), a
 * message limb added, times at most 5·2^26, five such products per sum.
 *
 * No libc: the module imports nothing and exports its memory, __heap_base and poly1305().
 * The caller places the 32-byte one-time key, the message and room for the 16-byte tag at or
 * above __heap_base, growing the memory when a message needs it.
 */
#include <wasm_simd128.h>

typedef unsigned int u32;
typedef unsigned long long u64;

#define MASK 0x3ffffffu

static inline u32 load32(const unsigned char *p) {
  u32 v;
  __builtin_memcpy(&v, p, 4); /* WebAssembly is little-endian, as Poly1305 wants */
  return v;
}

static inline void store32(unsigned char *p, u32 v) { __builtin_memcpy(p, &v, 4); }

/*
 * Messages from this length go through the four-lane loop first: below it, computing r², r³
 * and r⁴ costs more than the lanes save (measured: 0.7 against 1.1 GB/s at 64 bytes, about even
 * at 512, 2.1 against 1.8 at 1 KiB, 2.2 against 1.9 at 32 KiB).
 */
#define SIMD_MIN 512

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

/* o = a·b mod p, in 26-bit limbs (o1 may be a little over 26 bits, as after CARRY) */
static void mul(u32 *o, const u32 *a, const u32 *b) {
  const u32 s1 = b[1] * 5, s2 = b[2] * 5, s3 = b[3] * 5, s4 = b[4] * 5;
  u64 d0, d1, d2, d3, d4, c;
  d0 = MUL(a[0], b[0]) + MUL(a[1], s4) + MUL(a[2], s3) + MUL(a[3], s2) + MUL(a[4], s1);
  d1 = MUL(a[0], b[1]) + MUL(a[1], b[0]) + MUL(a[2], s4) + MUL(a[3], s3) + MUL(a[4], s2);
  d2 = MUL(a[0], b[2]) + MUL(a[1], b[1]) + MUL(a[2], b[0]) + MUL(a[3], s4) + MUL(a[4], s3);
  d3 = MUL(a[0], b[3]) + MUL(a[1], b[2]) + MUL(a[2], b[1]) + MUL(a[3], b[0]) + MUL(a[4], s4);
  d4 = MUL(a[0], b[4]) + MUL(a[1], b[3]) + MUL(a[2], b[2]) + MUL(a[3], b[1]) + MUL(a[4], b[0]);
  CARRY(o[0], o[1], o[2], o[3], o[4]);
}

/*
 * Two lanes' 64-bit products of 32-bit limbs: lanes 0 and 1 (ML), lanes 2 and 3 (MH). Written
 * as the instruction itself: the header's wasm_u64x2_extmul_low_u32x4 is an extend and a
 * multiply, which clang splits when r's extension can leave the loop, and i64x2.mul of whole
 * 64-bit lanes is three multiplies and more in V8 (measured: 1.1 GB/s against 1.8 scalar).
 */
#define EXTMUL(name, op)                                                                    \
  static inline v128_t name(v128_t a, v128_t b) {                                          \
    v128_t p;                                                                              \
    __asm__("local.get %1\n\tlocal.get %2\n\ti64x2." op "\n\tlocal.set %0"                    \
            : "=r"(p)                                                                      \
            : "r"(a), "r"(b));                                                             \
    return p;                                                                              \
  }
EXTMUL(ML, "extmul_low_i32x4_u")
EXTMUL(MH, "extmul_high_i32x4_u")

#define ADD64 wasm_i64x2_add

/*
 * CARRY on two lanes of 64-bit product sums, as two chains at once (from limbs 0 and 3), which
 * leaves every limb below 2^26 but limbs 1 and 4, a little above: enough for the next step.
 */
#define VCARRY(e0, e1, e2, e3, e4)                                                         \
  do {                                                                                     \
    v128_t k0, k3;                                                                         \
    k0 = wasm_u64x2_shr(e0, 26); e0 = wasm_v128_and(e0, m64); e1 = ADD64(e1, k0);          \
    k3 = wasm_u64x2_shr(e3, 26); e3 = wasm_v128_and(e3, m64); e4 = ADD64(e4, k3);          \
    k0 = wasm_u64x2_shr(e1, 26); e1 = wasm_v128_and(e1, m64); e2 = ADD64(e2, k0);          \
    k3 = wasm_u64x2_shr(e4, 26); e4 = wasm_v128_and(e4, m64);                              \
    e0 = ADD64(e0, ADD64(k3, wasm_i64x2_shl(k3, 2)));                                      \
    k0 = wasm_u64x2_shr(e2, 26); e2 = wasm_v128_and(e2, m64); e3 = ADD64(e3, k0);          \
    k3 = wasm_u64x2_shr(e0, 26); e0 = wasm_v128_and(e0, m64); e1 = ADD64(e1, k3);          \
    k0 = wasm_u64x2_shr(e3, 26); e3 = wasm_v128_and(e3, m64); e4 = ADD64(e4, k0);          \
  } while (0)

/* lanes 0..3 of an i32x4 from the low words of two i64x2 (lanes 0, 1 and 2, 3) */
#define PACK(lo, hi) wasm_i32x4_shuffle(lo, hi, 0, 2, 4, 6)

/*
 * One group of four blocks at m, block j into lane j: H ← (H + m)·r by lane, r and s = 5·r
 * given as limb vectors. Always inlined, so that its vectors stay in locals, not in memory.
 */
static inline __attribute__((always_inline)) void group4(v128_t *h, const unsigned char *m,
                                                         const v128_t *r, const v128_t *s) {
  const v128_t m32 = wasm_i32x4_splat(MASK), m64 = wasm_i64x2_splat(MASK);
  const v128_t b0 = wasm_v128_load(m), b1 = wasm_v128_load(m + 16);
  const v128_t b2 = wasm_v128_load(m + 32), b3 = wasm_v128_load(m + 48);
  /* word i of the four blocks, block j in lane j */
  const v128_t t0 = wasm_i32x4_shuffle(b0, b1, 0, 4, 1, 5);
  const v128_t t1 = wasm_i32x4_shuffle(b2, b3, 0, 4, 1, 5);
  const v128_t t2 = wasm_i32x4_shuffle(b0, b1, 2, 6, 3, 7);
  const v128_t t3 = wasm_i32x4_shuffle(b2, b3, 2, 6, 3, 7);
  const v128_t w0 = wasm_i32x4_shuffle(t0, t1, 0, 1, 4, 5);
  const v128_t w1 = wasm_i32x4_shuffle(t0, t1, 2, 3, 6, 7);
  const v128_t w2 = wasm_i32x4_shuffle(t2, t3, 0, 1, 4, 5);
  const v128_t w3 = wasm_i32x4_shuffle(t2, t3, 2, 3, 6, 7);
  /* a = h + m (with the 2^128 pad bit), split at bits 26, 52, 78, 104 as in the scalar loop */
  const v128_t a0 = wasm_i32x4_add(h[0], wasm_v128_and(w0, m32));
  const v128_t a1 = wasm_i32x4_add(
      h[1], wasm_v128_and(wasm_v128_or(wasm_u32x4_shr(w0, 26), wasm_i32x4_shl(w1, 6)), m32));
  const v128_t a2 = wasm_i32x4_add(
      h[2], wasm_v128_and(wasm_v128_or(wasm_u32x4_shr(w1, 20), wasm_i32x4_shl(w2, 12)), m32));
  const v128_t a3 = wasm_i32x4_add(
      h[3], wasm_v128_and(wasm_v128_or(wasm_u32x4_shr(w2, 14), wasm_i32x4_shl(w3, 18)), m32));
  const v128_t a4 = wasm_i32x4_add(
      h[4], wasm_v128_or(wasm_u32x4_shr(w3, 8), wasm_i32x4_splat(1 << 24)));

  /* a·r, limb by limb: lanes 0 and 1 (ML), lanes 2 and 3 (MH) */
#define PRODUCTS(X, e0, e1, e2, e3, e4)                                                      \
  e0 = ADD64(ADD64(ADD64(ADD64(X(a0, r[0]), X(a1, s[4])), X(a2, s[3])), X(a3, s[2])),       \
             X(a4, s[1]));                                                                 \
  e1 = ADD64(ADD64(ADD64(ADD64(X(a0, r[1]), X(a1, r[0])), X(a2, s[4])), X(a3, s[3])),       \
             X(a4, s[2]));                                                                 \
  e2 = ADD64(ADD64(ADD64(ADD64(X(a0, r[2]), X(a1, r[1])), X(a2, r[0])), X(a3, s[4])),       \
             X(a4, s[3]));                                                                 \
  e3 = ADD64(ADD64(ADD64(ADD64(X(a0, r[3]), X(a1, r[2])), X(a2, r[1])), X(a3, r[0])),       \
             X(a4, s[4]));                                                                 \
  e4 = ADD64(ADD64(ADD64(ADD64(X(a0, r[4]), X(a1, r[3])), X(a2, r[2])), X(a3, r[1])),       \
             X(a4, r[0]))
  v128_t d0l, d1l, d2l, d3l, d4l, d0h, d1h, d2h, d3h, d4h;
  PRODUCTS(ML, d0l, d1l, d2l, d3l, d4l);
  PRODUCTS(MH, d0h, d1h, d2h, d3h, d4h);
#undef PRODUCTS
  VCARRY(d0l, d1l, d2l, d3l, d4l);
  VCARRY(d0h, d1h, d2h, d3h, d4h);
  h[0] = PACK(d0l, d0h);
  h[1] = PACK(d1l, d1h);
  h[2] = PACK(d2l, d2h);
  h[3] = PACK(d3l, d3h);
  h[4] = PACK(d4l, d4h);
}

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
  const u32 rs[5] = {r0, r1, r2, r3, r4};

  u32 h0 = 0, h1 = 0, h2 = 0, h3 = 0, h4 = 0;
  u64 d0, d1, d2, d3, d4, c;

  /* r² = r·r, reduced to 26-bit limbs the same way as h: both loops below multiply by it */
  u32 q[5];
  if (len >= 32) mul(q, rs, rs);

  if (len >= SIMD_MIN) {
    /* r, r², r³, r⁴; every group but the last times r⁴ in each lane, the last r⁴ r³ r² r */
    const u32 *p1 = rs, *p2 = q;
    u32 p3[5], p4[5];
    mul(p3, p2, p1);
    mul(p4, p2, p2);
    v128_t r[5], s[5], rl[5], sl[5], h[5];
    for (int k = 0; k < 5; k++) {
      r[k] = wasm_i32x4_splat(p4[k]);
      s[k] = wasm_i32x4_splat(p4[k] * 5);
      rl[k] = wasm_i32x4_make(p4[k], p3[k], p2[k], p1[k]);
      sl[k] = wasm_i32x4_make(p4[k] * 5, p3[k] * 5, p2[k] * 5, p1[k] * 5);
      h[k] = wasm_i32x4_splat(0);
    }
    const u32 groups = len / 64;
    for (u32 g = 1; g < groups; g++) {
      group4(h, m, r, s);
      m += 64;
    }
    group4(h, m, rl, sl);
    m += 64;
    len -= groups * 64;
    /* the lanes' sum is h */
#define LANES(v)                                                                           \
  ((u64)(u32)wasm_i32x4_extract_lane(v, 0) + (u32)wasm_i32x4_extract_lane(v, 1) +          \
   (u32)wasm_i32x4_extract_lane(v, 2) + (u32)wasm_i32x4_extract_lane(v, 3))
    d0 = LANES(h[0]);
    d1 = LANES(h[1]);
    d2 = LANES(h[2]);
    d3 = LANES(h[3]);
    d4 = LANES(h[4]);
    CARRY(h0, h1, h2, h3, h4);
  }

  if (len >= 32) {
    const u32 q0 = q[0], q1 = q[1], q2 = q[2], q3 = q[3], q4 = q[4];
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
