// PKCS#11 URIs (RFC 7512): the RFC's examples parse, percent-encoding decodes to bytes (id)
// and UTF-8 text, formatting round-trips, and malformed URIs are Pkcs11UriError naming the
// problem, with any pin-value hidden from the message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatPkcs11Uri,
  isPkcs11Uri,
  parsePkcs11Uri,
  Pkcs11UriError,
  PKCS11_URI_MAX_LENGTH,
} from '../../../core/keys/index.js';

test('RFC 7512 §3 examples parse', () => {
  const a = parsePkcs11Uri(
    'pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;model=1.0;object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91;serial=?pin-source=file:/etc/token_pin',
  );
  assert.equal(a.path.token, 'The Software PKCS#11 Softtoken');
  assert.equal(a.path.manufacturer, 'Snake Oil, Inc.');
  assert.equal(a.path.model, '1.0');
  assert.equal(a.path.object, 'my-certificate');
  assert.equal(a.path.serial, '');
  assert.equal(a.type, 'cert');
  assert.deepEqual([...(a.id ?? [])], [0x69, 0x95, 0x3e, 0x5c, 0xf4, 0xbd, 0xec, 0x91]);
  assert.equal(a.query['pin-source'], 'file:/etc/token_pin');

  const b = parsePkcs11Uri('pkcs11:object=my-sign-key;type=private?module-name=mypkcs11');
  assert.equal(b.type, 'private');
  assert.equal(b.query['module-name'], 'mypkcs11');

  const c = parsePkcs11Uri(
    'pkcs11:token=Software%20PKCS%2311%20softtoken;manufacturer=Snake%20Oil,%20Inc.?pin-value=the-pin',
  );
  assert.equal(c.query['pin-value'], 'the-pin');

  const d = parsePkcs11Uri('pkcs11:token=My%20token%25%20created%20by%20Joe;x-vendor=yes');
  assert.equal(d.path.token, 'My token% created by Joe');
  assert.equal(d.vendor['x-vendor'], 'yes');

  const e = parsePkcs11Uri(
    'pkcs11:token=A%20name%20with%20a%20substring%20%25%3B;object=my-certificate;type=cert',
  );
  assert.equal(e.path.token, 'A name with a substring %;');

  const f = parsePkcs11Uri(
    'pkcs11:token=Name%20with%20a%20small%20A%20with%20acute:%20%C3%A1;object=my-certificate;type=cert',
  );
  assert.equal(f.path.token, 'Name with a small A with acute: á');

  const empty = parsePkcs11Uri('pkcs11:');
  assert.deepEqual(empty.path, {});
  assert.equal(empty.id, undefined);
  assert.ok(isPkcs11Uri('PKCS11:id=%01'));
  assert.ok(!isPkcs11Uri('/usr/lib/softhsm/libsofthsm2.so'));
});

test('the ssh(1) form: id and module-path', () => {
  const u = parsePkcs11Uri('pkcs11:id=%01?module-path=/usr/lib/softhsm/libsofthsm2.so');
  assert.deepEqual([...(u.id ?? [])], [1]);
  assert.equal(u.query['module-path'], '/usr/lib/softhsm/libsofthsm2.so');
  // attribute names are case-insensitive, values are not
  const v = parsePkcs11Uri('pkcs11:ID=%0a%0B;Object=Key');
  assert.deepEqual([...(v.id ?? [])], [10, 11]);
  assert.equal(v.path.object, 'Key');
});

test('format and parse round-trip, with every byte of the id encoded', () => {
  const parts = {
    id: Uint8Array.from([0, 1, 0x41, 0xff]),
    object: 'my key; 100% ✓',
    token: 'keyway test',
    manufacturer: 'SoftHSM project',
    serial: '088b4a9f',
    modulePath: '/opt/lib dir/p11.so',
  };
  const text = formatPkcs11Uri(parts);
  assert.equal(
    text,
    'pkcs11:id=%00%01%41%ff;object=my%20key%3b%20100%25%20%e2%9c%93;token=keyway%20test;manufacturer=SoftHSM%20project;serial=088b4a9f?module-path=/opt/lib%20dir/p11.so',
  );
  const back = parsePkcs11Uri(text);
  assert.deepEqual([...(back.id ?? [])], [...parts.id]);
  assert.equal(back.path.object, parts.object);
  assert.equal(back.path.token, parts.token);
  assert.equal(back.path.manufacturer, parts.manufacturer);
  assert.equal(back.path.serial, parts.serial);
  assert.equal(back.query['module-path'], parts.modulePath);
  assert.equal(formatPkcs11Uri({}), 'pkcs11:');
});

test('malformed URIs are Pkcs11UriError naming the problem', () => {
  const bad: [string, RegExp][] = [
    ['pkcs11x:id=%01', /does not start with "pkcs11:"/],
    ['file:/x', /does not start with "pkcs11:"/],
    ['pkcs11:id=%0', /bad percent-encoding in id/],
    ['pkcs11:id=%zz', /bad percent-encoding in id/],
    ['pkcs11:token=%', /bad percent-encoding in token/],
    ['pkcs11:token=%C3%28', /token is not UTF-8/],
    ['pkcs11:token=a b', /must be percent-encoded in token/],
    ['pkcs11:id=%01;id=%02', /id is given twice/],
    ['pkcs11:object=a;OBJECT=b', /object is given twice/],
    ['pkcs11:colour=red', /unknown path attribute "colour"/],
    ['pkcs11:id', /"id" is not name=value/],
    ['pkcs11:=x', /"=x" is not name=value/],
    ['pkcs11:type=secret', /unknown object type "secret"/],
    ['pkcs11:?pin=1234', /unknown query attribute "pin"/],
    ['pkcs11:?pin-value=1&pin-source=/f', /exclude each other/],
    ['pkcs11:?module-path=/a&module-path=/b', /module-path is given twice/],
    ['pkcs11:token=' + 'a'.repeat(PKCS11_URI_MAX_LENGTH), /longer than 4096/],
  ];
  for (const [uri, why] of bad) {
    assert.throws(
      () => parsePkcs11Uri(uri),
      (e: unknown) => e instanceof Pkcs11UriError && e.code === 'PKCS11_URI' && why.test(e.message),
      uri,
    );
  }
});

test('a PIN in a bad URI is not repeated in the error', () => {
  assert.throws(
    () => parsePkcs11Uri('pkcs11:bogus=1?pin-value=s3cret'),
    (e: unknown) =>
      e instanceof Pkcs11UriError &&
      !e.message.includes('s3cret') &&
      e.message.includes('pin-value=***') &&
      !JSON.stringify(e.details).includes('s3cret'),
  );
});
