/**
 * Port numbers as OpenSSH reads them (misc.c a2port): a decimal 0–65535, or the name of a tcp
 * service in /etc/services, read once when a name is first asked for.
 */
import { readFileSync } from 'node:fs';

let services: Map<string, number> | undefined;

/**
 * misc.c a2port: 0..65535 as strtonum(3) reads it (leading blanks and a sign allowed, nothing
 * after the digits), or a tcp service name; undefined when neither.
 */
export function a2port(s: string): number | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)$/.exec(s);
  if (m) {
    const n = Number(m[2]);
    if (n === 0) return 0; // "-0" too
    return m[1] !== '-' && n <= 65535 ? n : undefined;
  }
  if (!services) {
    services = new Map();
    try {
      for (const line of readFileSync('/etc/services', 'utf8').split('\n')) {
        const m = /^([^\s#]+)\s+(\d+)\/tcp\b([^#]*)/.exec(line);
        if (!m) continue;
        const port = Number(m[2]);
        for (const n of [m[1] ?? '', ...(m[3] ?? '').trim().split(/\s+/)])
          if (n !== '' && !services.has(n)) services.set(n, port);
      }
    } catch {
      // no services database: numbers only
    }
  }
  return services.get(s);
}
