/**
 * Blowfish with the "expensive key schedule" of bcrypt (EksBlowfish), the primitive under
 * bcrypt_pbkdf (bcrypt-pbkdf.ts). Only what bcrypt_pbkdf needs: the initial state, the two key
 * expansions, and ECB encryption of 64-bit blocks held as pairs of uint32 words.
 *
 * Blowfish: B. Schneier, "Description of a New Variable-Length Key, 64-Bit Block Cipher"
 * (FSE 1993); the P-array and S-boxes start as the fractional hex digits of pi. EksBlowfish:
 * N. Provos, D. Mazières, "A Future-Adaptable Password Scheme" (USENIX 1999), whose
 * ExpandKey(state, salt, key) is expandState() here and ExpandKey(state, 0, key) is
 * expandZeroState(). Key and salt bytes are read as big-endian words, cycling over the input,
 * as OpenBSD's Blowfish_stream2word does.
 *
 * Not constant time (S-box lookups are indexed by secret data), like every table-driven
 * Blowfish; bcrypt_pbkdf runs only on the local machine, on a file the user opened.
 */

/**
 * The first 8336 hex digits of pi after the point (18 P words, then 4 × 256 S words),
 * big-endian, base64. test/unit/keys/blowfish.test.ts recomputes them from Machin's formula
 * and checks Eric Young's Blowfish test vectors.
 */
const PI_DIGITS =
  'JD9qiIWjCNMTGYouA3BzRKQJOCIpnzHQCC76mOxObIlFKCHmONATd75UZs806QxswKwpt8l8UN0/hNW1tUcJF5IW' +
  '1dmJefsb0TELppjftawv/XLb0Brft7jhr+1qJn6WunyQRfEsf5kkoZlHs5Fs9wgB8uKFjvwWY2kg2HFXTmmkWP6j' +
  '9JM9fg2VdI9yjrZYcYvNWIIVSu57VKQdwlpZtZww1Tkq8mATxdGwIyhghfDKQXkYuNs474553LBgOhgObJ4Oi7Ae' +
  'ij7XFXfBvTFLJ3ivL9pVYFxg5lUl86pVq5RXSJhiY+gUQFXKOWoqqxC2tMxcNBFB6M6hVIavfHLpk7PuFBFjb7wq' +
  'K6nFXXQYMfbOXD4Wm4eTHq/WujNsJM9cejJTgSiVhnc7j0iYa0u5r8S/6BtmKCGTYdgJzPshqZFIfKxgXeyAMu+E' +
  'XV3phXWx3CYjAutlG4gjiT6B05asxQ9tb/OD9EI5LgtEgqSEIARpyPBKnh+bXiHGaEL26WyaZwycYavTiPBqUaDS' +
  '2FQvaJYPpyirUTOjbu8LbBN6O+S6O/BQfvsqmKHxZR05rwF2ZspZPoJDDoiM7oYZRW+ftH2EpcM7i16+4G912IXB' +
  'IHNAGkSfVsFqpk7TqmI2P3cGG/7fckKbAj030Nck0AoSSNsP6tNJ8cCbB1NyyYCZG3sl1HnY9uje9+P+UBq2eUw7' +
  'l2zgvQTABrrBqU+2QJ9gxF5cnsIZaiRjaPtvrz5sU7UTObLrO1Lsb238UR+bMJUszIFFRK9evQm+49AE3jNK/WYP' +
  'KAcZLkuzwMuoV0XIdA/SC185udP721V5wL0aYDIK1qEAxkAscnlnnyX++x+jzI6l6fjbMiL4PHUW3/1haxUvUB7I' +
  'rQVSqzI9tfr9I4dgUzF7SD4A34KeXFe7ym+MoBqHVi7fF2nb1UKo9ih+/8OsZzLGjE9Vc2lbJ7C7yljI4f+jXbjw' +
  'EaAQ+j2Y/SGDuEr8tWwt0dNbmlPkebb4RWXSjkm8S/uXkOHd8tqky34zYvsTQc7kxujvIMraNndMAdB+nv4r8R+0' +
  'ldvaTa6QkZjqrY5xa5PVoNCO0dCvxyXgjjxbL451lLeP9uL78hIrZIiIuBKQDfAcT61eoGiPwxzRz/GRs6jBrS8v' +
  'Ihi+Dhd36nUt/osCH6HloMwPtW906Bis89bOieKZtKhP4P0T4Ld8xDuB0q2o2RZfomaAlXcFk8xzFCEaFHfmrSBl' +
  'd7X6hsdUQvX7nTXP682vDHs+iaDWQRvTrh5+SQAlDi0gcbNeImgAu1e44K8kZDab8Am5HlVjkR1Z36aqeMFDidla' +
  'U38gfVuiAuW5xYMmA3Zilc+pEcgZaE5zSkGzRy3KexSpShtRAFKaUykV1g9XP7ybxuQrYKR2geZ0AAi6b7VXG+kf' +
  '8pbsayoN2RW2Y2Uh57n5tv80BS7FhVZkU7AtXamfj6EIukeZboUHakt6cOm1sylE23UJLsQZJiOtbqawSafffZzu' +
  'YLiP7bJm7KqMcWmaF/9WZFJswrGe4Rk2AqV1CUwpoFkTQOQYOj4/VJiaW0KdZWuP5NaZ9z/WodKcB+/oMPVNLTjm' +
  '8CVdwUzdIIaEcOsmY4LpxgIezF4JaGs/PrrvyTyXGBRranChaH81hFKg4oa3nFMFqlAHNz4HhBx/3q5cjn1E7FcW' +
  '8riwOto38FAMDfAcHwQCALP/rgz1Gjy1dLIlg3pY3AkhvdGRE/l8qS/2lDJHcyL1RwE65eWBN8La3Mi1djSa892n' +
  'qURhRg/QAw7syMc+pHUeQeI4zZk76g4vMoC7oRg+szFOVIs4T225CG9CDQP2CgS/LLgSkCSXfHlWebByvK+Jr96a' +
  'dx/ZkwgQs4uuEtzPPy5VEnIfLmtxJFAa3eafhM2HelhHGHQI2he8n5q86Ut9jOx67DrbhR36YwlDZsRkw9LvHBhH' +
  'MhXZCN1DOzckwroWEqFNQyplxFFQlAACEzrk3XHf+J4QMU5Vgax31l8RGZsENVbx16PHazwRGDtZJKUJ8o/m7Zfx' +
  '+/qeur8sHhU8bobjRXDq6W+xhg5eClo+KrN3H+ccTj0G+ill3LmZ5x0PgD6J1lJmyCUuTMl4nBCzasYVDrqU4up4' +
  'pfw8Ux4KLfTy906nNh0rPRk5Jg8ZwnlgUiOnCPcTErbrrf5u6sMfZuO8RZWme8iDsX830QGM/yjDMt3vvmxapWVY' +
  'IYVoq5gC7s6lD9svlTsq732tW24vhBUhtigpB2Fw7N1HdWGfFRATzKgw62G9lgM0/h6qA2PPtXNckExwojnVnp4L' +
  'y6reFO7MhrxgYiynnKtcq7LzhG5kix6vGb3wyqAjabllWrtQQGhaMjwqtLMxnunVwCG495tUCxmHX6CZlfeZfmI9' +
  'faj4N4ial+MtdxHtk18WaBKBDjWIKcfmH9aW3t+heFi6mVf1hKUbInJjm4PD/xrCRpbNswrrUy4wVI/ZSORtvDEo' +
  'WOvy7zTG/+r+KO1h7nw8c11KFNnoZLfjQhBdFCA+E+BF7uK2o6qr6ttsTxX6y0/Qx0L0Qu9qu7VlTzsdQc0hBdge' +
  'eZ6GhU3H5EtHaj2BYlDPYqHyW40mRvyIg6DBx7ajfxUkw2nLdJJHhIoLVpKyhQlbvwCtGUidFGKxdCOCDgBYQo0q' +
  'DFX16h2t9D4jP3BhM3Lwko2TfkHWX+zxbCI723zeN1nL7nRgQIXyp853Mm6mB4CEGfhQnujv2FVh2Zc1qWmnqsUM' +
  'BsJaBKv8gAvK3J5Eei7DRTSE/dVnBQ4ensnbc9vTEFWIzWdf2nnjZ0NAxcQ0ZXE+ONg9KPie8W3/IBU+IeePsD1K' +
  '5uOfK9uDrffpPVpolIFA9/ZMJhyUaSk0QRUg93YC1Pe89Gsu1KIAaNQIJHEzIPRqQ7fUt1AAYa8eOfYulyRFRhQh' +
  'T3S/i4hATZX8HZa1ka9w9N3TZqAvRb+8CewDvZeFf6xt0DHLhQSW6yezVf05QdolR+arygqaKFB4JVMEKfQKLIba' +
  '6bZt+2jcFGLXSGkAaA7ApCehje5PP/6i6IetjLWM4AZ69Na2qs4efNM3X+zOeKOZQGsqQiD+njXZ84W57jnXqzsS' +
  'Tosdyfr3S20YViajZjHq45eyOm76dN1bQzJoQef3yngg+/sK9U7Y/rOXRUBWrLpIlSdVUzo6IIONh/5rqbfQlpVL' +
  'VahnvKEVmljMqSljmeHbM6YqSlY/MSX5XvR+HJApMXz9+OgCBCcvcIC7FVwFKCzjlcEVSOTGbSJIwRM/xw+G3Af5' +
  'ye5BBB8PQEd5pF2IbhcyX1Hr1ZvA0fK8wY9BETVkJXt4NGAqnGDf+OijH2NsGw4StMIC4TKer2ZP0crRgRVrI5Xg' +
  'Mz6S4TskC2LuvrkihbKiDua6DZnecgyMLaL3KNASeEWVt5T9ZH0IYufM9fBUSaNvh31I+sOd/SfzPo0eCkdjQZku' +
  '/3Q6b26r9Pj9N6gS3GCh6934mRvhTNtuaw3Ge1UQbWcsNydl1Dvc0OgE8SkNx8wA/6O1OQ+SaQ/tC2Z7n/vO232c' +
  'oJHPC9kVXqO7Ey+IUVutJHuUeb92O9brNzkus8wRWXmAJuKX9C4xLWhCrafGais7EnVMzHgu8RxqEkI3t5JR5wah' +
  'u+ZL+2NQGmsQGBHK7fo9Jb3Y4uHDyURCFlkKEhOG2QzsbtWr6ipkr2dO2oaoX76/6Yhk5MP+nbyAV/D3wIZgeHv4' +
  'YANgTdH9g0b2OB+wd0WuBNc2/MyDQmsz8B6rcbCAQYc8AF5fd6BXvr3oriRVRkKZv1guYU5Y9I/y3f2i9HTvOIeJ' +
  'vcJTZvnDyLOOdLR18lVG/Nm5eusmYYsd34SEag55kV+V4kZuWY4gtFdwjNVVkckC3ky5C6zhu4IF0BGoYkh1dKme' +
  't38ZtuCp3AlmLQmhxDJGM+haHwIJ8L6MSpmgJR1u/hAauT0dC6Wk36GG8g8oaPFp3Lfag1c5Bv6h4s6bT81/UlAR' +
  'XgGnBoP6oAK1xA3m0Cea+Iwndz+GQcNgTAZhqAa18Bd6KMD1huAAYFiqMNx9YhHmntcjOOpjU8LdlMLCFjS7y+5W' +
  'kLy23uv8faHOWR12bwXkCUt8AYg5cgo9fJJ8JIbjcl9yTZ25GsFbtNOeuPztVFV4CPyltdg9fNNNrQ/EHlDvXrFh' +
  '5viihRTZbFETPG/Vx+dW4U7ENiq/zt3GyDfXmjI0kmOCEmcO+o5AYADgOjnON9P69c+rwnc3WsUtG1ywZ55PozdC' +
  '04InQJm8m77VEY6dvw9zFdYtHH7HAMR7t4wbayGhkEWybrG+ajZutFdIqy+8lG55xqN20mVJwshTD/juRo3efdVz' +
  'Ch1M0E3GKTm726m6RlCslSbovl7jBKH61fBqLVGaY++M4pqG7iLAicK4QyQu9qUeA6qc8tCkg8Bhupvpak2P5RVQ' +
  'umRb1igmovmnOjrhS6mVhu9VYunHL+/T91L32j8Eb2l3+gpZgOSpFYewhgGbCeatOz7lk+mQ/VqeNNeXLPC32QIr' +
  'i1GW1aw6AX2mfdHPPtZ8fS0oH58lz63yuJta1rRyWoj1TOAprHHgGaXmR7Cs/e2T+pvo08SNKDtXzPjVZil5Ey4o' +
  'eF8Bke11YFX3lg5E49NejBUFbdSI9G26A6FhJQVk8L3D654VPJBXopcnGuypOgcqGz9tmx5jIfX1nGb7JtzzGXUz' +
  '2SixVf31A1Y0goq6PLsoUXcRwgrZ+KvMUWfMrZJfTegXUTgw3I43nVhikyD5kep6kML7PnvOUSHOZHdPvjKotuN+' +
  'wyk9RkjeU2lkE+aAoq4IEN1tsiRphS39CQchZrOaRgpkRcDdWGzezxwgyK5bvvfdG1iNQMzSAX9rtOO73aJqfjpZ' +
  '/0U+NQpEvLTN1XLqzqj6ZIS7jWYSrr88b0fSm+RjVC9dnq7Cdxv2TmNwdA4NjedbE1f4chZxr1N9XUBAywhOtOLM' +
  'NNJGagEVr4ThsAQolZg6HQa4n7TObqBIbz87gjUgq4IBGh1LJ3In+GEVYLHnkz/cuzp5KzRFJb2giDnhUc55Sy8y' +
  'ybegH7rJ4BzIfrzH0fbPARHDoeiqxxqQh0nUT72a0Nrey9UK2jgDOcMqxpE2Z435MXzgsStP955Zt0P1uzry1Rn/' +
  'J9lFnL+XIiwV5vwqD5H8cZuUFSX65ZNhzrac68KoZFkSuqjRtsEHXuMFagwQ0lBlywOkQuDsbg4WmNs7TJigvjJ4' +
  '6WSfH5Uy4NOS39OgNCuJcfIeGwp0QUujNIzFvnEgw3Yy2N81n42bmS8u5gtvRw/j8R3lTNpUHtrYkc5iec/NPn5v' +
  'FhixZv0sHQWEj9LF9vsimfUj81emMnYjk6g1MVbMzQKs8IFiWnXrtW4WNpeI0nPM3pZikoG5SdBMUJAbccZWFObG' +
  'x70yehQKReHQBsPye5rJqlP9YqgPALslv+I1vdL2cRJpBbIEAiK2y898zXacK1MRPsAWQOPTOKu9YCVHrfC6OCCc' +
  '90bOdnevocUgdWBghcv+Torojdh6qvmwTPmqfhlIwlwC+4qMAcNq5Nbr4fmQ1PhpplzeoD8JJS3CCOaft05hMs53' +
  '4ltXj9/jOsNy5g==';

const P_WORDS = 18;
const S_WORDS = 1024;
/** Offsets of the four S-boxes in the state array. */
const S0 = 18;
const S1 = S0 + 256;
const S2 = S1 + 256;
const S3 = S2 + 256;

let initial: Uint32Array | undefined;

/** P (18 words) then S0..S3 (256 words each), as the digits of pi give them. */
function initialState(): Uint32Array {
  if (initial === undefined) {
    const bytes = Buffer.from(PI_DIGITS, 'base64');
    if (bytes.length !== 4 * (P_WORDS + S_WORDS)) throw new Error('Blowfish table is corrupt');
    const words = new Uint32Array(P_WORDS + S_WORDS);
    for (let i = 0; i < words.length; i++) words[i] = bytes.readUInt32BE(4 * i);
    initial = words;
  }
  return initial;
}

/** A copy of the initial state (P, then S0..S3), for tests that check it against pi. */
export function blowfishInitialState(): Uint32Array {
  return initialState().slice();
}

/** Big-endian words read from `data`, wrapping to its start (Blowfish_stream2word). */
class WordStream {
  readonly #data: Uint8Array;
  #pos = 0;

  constructor(data: Uint8Array) {
    if (data.length === 0) throw new RangeError('Blowfish: empty key or salt');
    this.#data = data;
  }

  next(): number {
    let w = 0;
    for (let i = 0; i < 4; i++) {
      if (this.#pos >= this.#data.length) this.#pos = 0;
      w = (w << 8) | (this.#data[this.#pos++] ?? 0);
    }
    return w >>> 0;
  }
}

/**
 * Encrypts the block lr = [left, right] in place with the state st: 16 Feistel rounds with
 * F(x) = ((S0[a] + S1[b]) ^ S2[c]) + S3[d] mod 2^32, a..d the bytes of x from the top, then
 * the output whitening. The hot loop of bcrypt_pbkdf, so F is written out twice, not called.
 */
function encipher(st: Uint32Array, lr: Uint32Array): void {
  let l = ((lr[0] ?? 0) ^ (st[0] ?? 0)) >>> 0;
  let r = lr[1] ?? 0;
  for (let i = 1; i <= 16; i += 2) {
    const a = st[S0 + (l >>> 24)] ?? 0;
    const b = st[S1 + ((l >>> 16) & 0xff)] ?? 0;
    const c = st[S2 + ((l >>> 8) & 0xff)] ?? 0;
    const d = st[S3 + (l & 0xff)] ?? 0;
    r = (r ^ (((((a + b) | 0) ^ c) + d) | 0) ^ (st[i] ?? 0)) >>> 0;
    const e = st[S0 + (r >>> 24)] ?? 0;
    const f = st[S1 + ((r >>> 16) & 0xff)] ?? 0;
    const g = st[S2 + ((r >>> 8) & 0xff)] ?? 0;
    const h = st[S3 + (r & 0xff)] ?? 0;
    l = (l ^ (((((e + f) | 0) ^ g) + h) | 0) ^ (st[i + 1] ?? 0)) >>> 0;
  }
  lr[0] = r ^ (st[17] ?? 0);
  lr[1] = l;
}

/**
 * XORs the key words into P, then replaces P and the S-boxes, two words at a time, by
 * successive encryptions of a running block that starts at zero; with a salt, the block is
 * first XORed with the next two salt words each time.
 */
function expand(st: Uint32Array, lr: Uint32Array, key: Uint8Array, salt?: Uint8Array): void {
  const k = new WordStream(key);
  for (let i = 0; i < P_WORDS; i++) st[i] = ((st[i] ?? 0) ^ k.next()) >>> 0;
  const s = salt === undefined ? undefined : new WordStream(salt);
  lr[0] = 0;
  lr[1] = 0;
  for (let i = 0; i < P_WORDS + S_WORDS; i += 2) {
    if (s !== undefined) {
      lr[0] = (lr[0] ?? 0) ^ s.next();
      lr[1] = (lr[1] ?? 0) ^ s.next();
    }
    encipher(st, lr);
    st[i] = lr[0] ?? 0;
    st[i + 1] = lr[1] ?? 0;
  }
}

/** One Blowfish state: P-array and S-boxes, mutable, owned by one bcrypt hash computation. */
export class Blowfish {
  /** P[0..17] at 0..17, S-box i at S0 + 256·i. */
  readonly #st: Uint32Array;
  /** The block being worked on: [left, right]. */
  readonly #lr = new Uint32Array(2);

  constructor() {
    this.#st = initialState().slice();
  }

  /** EksBlowfish ExpandKey(state, salt, key). */
  expandState(salt: Uint8Array, key: Uint8Array): void {
    expand(this.#st, this.#lr, key, salt);
  }

  /** EksBlowfish ExpandKey(state, 0, key); on a fresh state, the standard Blowfish key setup. */
  expandZeroState(key: Uint8Array): void {
    expand(this.#st, this.#lr, key);
  }

  /** Encrypts consecutive 64-bit blocks (pairs of words, left first) of `words` in place. */
  encryptWords(words: Uint32Array): void {
    if (words.length % 2 !== 0) throw new RangeError('Blowfish: odd number of words');
    const lr = this.#lr;
    for (let i = 0; i < words.length; i += 2) {
      lr[0] = words[i] ?? 0;
      lr[1] = words[i + 1] ?? 0;
      encipher(this.#st, lr);
      words[i] = lr[0] ?? 0;
      words[i + 1] = lr[1] ?? 0;
    }
  }

  /** Zeroes the state: after a key expansion it is derived from the passphrase. */
  wipe(): void {
    this.#st.fill(0);
    this.#lr.fill(0);
  }
}
