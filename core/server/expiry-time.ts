/**
 * authorized_keys `expiry-time="timespec"` (sshd(8)): YYYYMMDD or YYYYMMDDHHMM[SS], in UTC when
 * followed by `Z` (or `UTC`, any case), else in the system time zone — read as OpenSSH's
 * parse_absolute_time reads it, which `ssh-keygen -V` shares:
 *
 * - Fields in strptime's ranges (month 1–12, day 1–31, hour 0–23, minute 0–59, second 0–61);
 *   a day past the month's end rolls over as mktime does (20250231 is 3 March).
 * - Local times go through mktime with tm_isdst = 0 (OpenSSH zeroes the struct tm): they are
 *   read in the zone's *standard* time, so in summer an expiry falls an hour later than the wall
 *   clock suggests (20250701 1200 in Europe/Berlin is 11:00 UTC).
 * - A time at or before the epoch is invalid.
 *
 * The zone is the process's (TZ), looked up when the line is parsed.
 */

const TIMESPEC = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?(z|utc)?$/i;

/** Minutes to add to a standard-time wall clock to get UTC, for year `y` in the local zone. */
function standardOffsetMinutes(y: number): number {
  const jan = new Date(0);
  jan.setFullYear(y, 0, 1);
  const jul = new Date(0);
  jul.setFullYear(y, 6, 1);
  // Daylight saving moves clocks ahead, which lowers getTimezoneOffset in either hemisphere.
  return Math.max(jan.getTimezoneOffset(), jul.getTimezoneOffset());
}

/** The instant (ms since the epoch, a whole second) `spec` names, or undefined if invalid. */
export function parseExpiryTime(spec: string): number | undefined {
  const m = TIMESPEC.exec(spec);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((f) =>
    Number(f ?? '0'),
  ) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  if (hour > 23 || minute > 59 || second > 61) return undefined;
  const wall = new Date(0);
  wall.setUTCFullYear(year, month - 1, day);
  wall.setUTCHours(hour, minute, second, 0);
  const at =
    m[7] !== undefined ? wall.getTime() : wall.getTime() + standardOffsetMinutes(year) * 60_000;
  return at > 0 ? at : undefined;
}
