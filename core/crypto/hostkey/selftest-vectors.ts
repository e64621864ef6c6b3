/**
 * Known-answer vectors for the node:crypto self-tests of signature verification. Each was made
 * once by an independent signer (OpenSSL through node:crypto) and is re-verified with @noble
 * and the BigInt RSA path in test/unit/crypto/hostkey-*.test.ts.
 *
 * ed25519: RFC 8032 §7.1 TEST 1 (empty message).
 * ECDSA: r ‖ s (fixed length) over "keyway ecdsa self-test", hashed per RFC 5656 §6.2.1.
 * RSA: a 2048-bit key (e = 65537), PKCS#1 v1.5 over "keyway rsa self-test" (RFC 8017 §8.2).
 */

export const ed25519Vector = {
  publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
  signature:
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
};

export const ecdsaMessage = 'keyway ecdsa self-test';

/** Public point Q (uncompressed SEC1) and r ‖ s, base64. */
export const ecdsaVectors = {
  nistp256: {
    q:
      'BLXVW4RtLHmGuPmN5CcSUyiRYHDBE6WJ9vdBM0M9Q6MdvX6i1VoPF4AVIq+PrdKwVaHwqIsmUfof9UwWC0te' +
      'wR4=',
    sig:
      '8oD4YyMSoksb1lXFfrfCmSQcLQGMK9uvSuOEbDvXug5qELyARGrkekpn8vJWun9GZ1G3k27qj9CP9/bif7Re' +
      'dQ==',
  },
  nistp384: {
    q:
      'BGHVEXxhspD4usRPRZ1gceii2m40ifY5O1z1mSyjCSeIr7PQntYlGQXIWkEkJYkDTX4uzr7PbL6CJEHb9BWK' +
      'RNcMASfLy1Xn6PTPpsyEn2gA4XOuFGEUvVLjA6PNobShug==',
    sig:
      'rVvLI5xPFgjBaXxrFeeHf0vCWl91E3r+tRG3343zRobNe+/qrrISIgtpDUXcbuM9De5sGEnFzqiUNhHQajDA' +
      '3FTzldi9dJEda22wpgb5ezlifjNof0tSyiLsBNGw2q8c',
  },
  nistp521: {
    q:
      'BADy8ZJH3FO22vLZrn6Z3aUuTGbG/6Z3ScQ9MNiRhXz3uJ7dRQSrTpfboTQyCZLFliHs5TOOfvlC1kr1PjnH' +
      'h1ngogDNBdV3l0kIHftLThg1/87H2IJsZOdKSSXRamncuMyUAQMoys5zLFRpzbaR5eDA1cgmiL9B4pI5RKav' +
      'csDC6eB/fg==',
    sig:
      'AFM16+YupJGmyxXxG44lrqKvgBXrVyz5USteluURoXmMGY0DescJa6bP4E//rixbtpIdJWuzsks5N42361Wo' +
      'w/IqAVMPZN6j5MmAKR/gWBiTLoI8ojVriiPZvCB09GUuN9esM8/xpEF/ZaVB2JwwZkpeSRiWGKbJUmIw6BZ6' +
      'vj+tLIid',
  },
};

export const rsaMessage = 'keyway rsa self-test';

/** Modulus (base64url, e = 65537) and one signature per hash (base64url). */
export const rsaVector = {
  n:
    'zW5KSbSeHlyTSGOQZXbBVp9l908JajFCaHCV_uQGA7t1BQHDWt4RkY50wRwJxL8g7qV_T9TW8v1NCzzbLWcC' +
    '-qaypjkoK7U5HuvcKWPbtRT_uG6EuwyCthk7jcTRfB5ZxtqaFs9ncFGxON-yI2miv4hYTzwozKrOP4sPn6X3' +
    '2tPrfaWfYT_R8NL6nnYSwJ0B9yWiRDO53nfYIuhF5HQ5BvvEK-TWe5P7Eie50hSHgkhCaYZlgnKrZZrEBdB5' +
    'rXCQWmRvUBw0Q5o5qBT9FyMvP5qTksIviqfhfxJv0GuxJ72JldfAowSjTjZag7-i63cfylGrN-T-pt_gfGWK' +
    'grxYpQ',
  sha1:
    'rOzviV__OSPdAMrRxFPUJdzouxqkdi1TkaQf7I5U5eNqwyCjCIReF-vZISTazlSj9PMHEJzL0ad9vsKi4h4V' +
    'zGEeY-R3vKRtVxbWYAUaQmUMR9sbMxxCFXH1IJAdnFHsPwxXJzSigQ9B90UxN3kBNwOQ6hXMgQIaWR55Vw__' +
    'KdXAji8ilYgpravzQOshRoesad2unjPEHMrQTPhzSfq5_SgjS2SD5T7_oYksvxuLhbbaJneNUbhA1jBN0UYP' +
    '8NyJ1E2KFaptuB2A9N5v3twIEK8VNPv1kJhP78iIL04jWQBlbp6Je2ofLxEgiQvkkTcknnQvUro9r9knM5c0' +
    'waq_-A',
  sha256:
    'fAyijYGjqJOOy2cEjCFPZVaesYKZUnQEm8-VmyTYABRH1JB9gFI5FGWuaVPsAGvYHRrlOtbsq5T16PIlgVZy' +
    'Aiwf9hixbZancfOhqaNe6Ct0eKRXQ8iXOEqzcX_oJpgvm1A9eLAZ2n2pBJgM5oENc7e6p-E-DswJuSWZrhUu' +
    'lwj6BQUmh_VOTsGp7q9_iLfjGBnzTQ1YTOmU9ojEr2W_HFLB6pdNhmpNsbZkMQNYSHyJeZf96GhmmHSWCQz3' +
    '1Izz-g-UxLDs71We4K1P1c36rS1eIme6voAwe5vBi_Qbj2SMSGLMJBS0mSHiWtLEESc4AHsJFHDlYV5QkUMU' +
    'Bx1TqA',
  sha512:
    'NrbPTbPtCLxDGiBUM7FcAYcDIkZmf199nBOtxph3PAZvj2_w_i0bRbPeD5Sepj3JveQUvCOji9EGEU6k0QUA' +
    'O179H8RAZ3gn2SdG_-DB_a99WYvQ78fIM1njNrJy_1wOQY4btLB3wGKy5lmr8DquYyxYq6bnmDVn41-a0-YM' +
    'kAsMcJnlaQrKjOW_xse6fmgyT4Be3fDDtNsbkUrhS0f73YSnOttjjyGEkFKNssjp4XjXE4N26BGGO86FYm1w' +
    '_nUVox49uGBtc8DlWkuWHYJhGzRC6KvztgnszHTfXulhwY9jpXK5h5e23MsdKhinuUAmbx2TgAarL7SH-3JT' +
    'Qv4BpQ',
};
