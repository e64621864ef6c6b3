// expiry-time="timespec" read as OpenSSH reads it (parse_absolute_time), checked against
// `ssh-keygen -V`, which shares that function: the instant a timespec names in several time
// zones (DST in either hemisphere, half-hour offsets, spring gaps and autumn repeats), and which
// timespecs are refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { parseExpiryTime } from '../../../core/server/index.js';
import { run, tempDir, tryRun, type TempDir } from './support.js';

let d: TempDir;
let savedTz: string | undefined;
before(() => {
  savedTz = process.env.TZ;
  d = tempDir('expiry');
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', d.path('ca')]);
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', d.path('user')]);
});
after(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
  d.cleanup();
});

function inZone<T>(tz: string, fn: () => T): T {
  process.env.TZ = tz;
  return fn();
}

/**
 * The instant ssh-keygen gives `spec` as a certificate's start time, read in time zone `tz`;
 * undefined when it refuses the timespec.
 */
function keygenTime(spec: string, tz: string): number | undefined {
  const cert = d.path('user-cert.pub');
  rmSync(cert, { force: true });
  const signed = tryRun(
    'ssh-keygen',
    ['-q', '-s', d.path('ca'), '-I', 'id', '-V', `${spec}:forever`, d.path('user.pub')],
    { TZ: tz },
  );
  if (signed.status !== 0) {
    assert.match(signed.stderr, /Invalid from time/, signed.stderr);
    return undefined;
  }
  const listed = run('ssh-keygen', ['-L', '-f', cert], { TZ: 'UTC0' });
  const m = /Valid: after (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})/.exec(listed);
  assert.ok(m?.[1], listed);
  return Date.parse(`${m[1]}Z`);
}

const show = (t: number | undefined): string =>
  t === undefined ? 'refused' : new Date(t).toISOString();

// Each zone twice: as a POSIX rule for glibc (so no tzdata is needed) and by name for Node's ICU.
// The rules are the current ones, so the dates below stay after 2010 (and one in 1970 where
// neither zone had daylight saving).
const ZONES: [posix: string, iana: string][] = [
  ['UTC0', 'UTC'],
  ['CET-1CEST,M3.5.0,M10.5.0/3', 'Europe/Berlin'],
  ['EST5EDT,M3.2.0,M11.1.0', 'America/New_York'],
  ['AEST-10AEDT,M10.1.0,M4.1.0/3', 'Australia/Sydney'],
  ['IST-5:30', 'Asia/Kolkata'],
];

const VALID = [
  '20250101',
  '20250701',
  '202501011200',
  '202507011200',
  '20250701120000',
  '20250701120000Z',
  '20250701120000z',
  '202507011200UTC',
  '20250101utc',
  '20250101Z',
  '20250231', // rolls over to 3 March
  '20241231235959',
  '20250101000060', // seconds up to 61, as strptime allows
  '20250101000061',
  '20370101',
  '20250330023000', // Berlin's spring gap
  '20251026023000', // Berlin's autumn repeat
  '20250309023000', // New York's spring gap
  '20251102013000', // New York's autumn repeat
  '20251005023000', // Sydney's spring gap
  '20250406023000', // Sydney's autumn repeat
  '19700102',
];
const INVALID = [
  '2025',
  '2025010',
  '2025010112',
  '20250101T0000',
  '2025-01-01',
  '20250100',
  '20251301',
  '20250001',
  '20250132',
  '20250101240000',
  '202501011260',
  '20250101000062',
  '20250101Q',
  '20250101ZZ',
  '19691231',
  '19691231Z',
];

test('every timespec names the same instant as ssh-keygen -V says, in every zone', () => {
  for (const [posix, iana] of ZONES) {
    for (const spec of [...VALID, ...INVALID]) {
      const ours = inZone(iana, () => parseExpiryTime(spec));
      const theirs = keygenTime(spec, posix);
      assert.equal(show(ours), show(theirs), `${spec} in ${iana}`);
      assert.equal(ours === undefined, INVALID.includes(spec), `${spec} in ${iana}`);
    }
  }
});

test('local times are standard time, as mktime with tm_isdst = 0 makes them (OpenSSH 9.2)', () => {
  // Recorded from ssh-keygen -V with TZ=Europe/Berlin.
  inZone('Europe/Berlin', () => {
    assert.equal(show(parseExpiryTime('20250701120000')), '2025-07-01T11:00:00.000Z');
    assert.equal(show(parseExpiryTime('20250101120000')), '2025-01-01T11:00:00.000Z');
    assert.equal(show(parseExpiryTime('20250231')), '2025-03-02T23:00:00.000Z');
    assert.equal(show(parseExpiryTime('20250701120000Z')), '2025-07-01T12:00:00.000Z');
  });
  inZone('Australia/Sydney', () => {
    // January is summer there: standard time is still +10.
    assert.equal(show(parseExpiryTime('20250115')), '2025-01-14T14:00:00.000Z');
  });
});
