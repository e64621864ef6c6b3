/**
 * The tunnel form's and list's words and checks, apart from React: the spec a form's fields
 * describe (or what is wrong with them), and a tunnel's state in words.
 */
import type { TunnelInfo } from '../../core/service/api/contract.js';

export type TunnelSpec = TunnelInfo['spec'];
export type TunnelKind = TunnelSpec['type'];

/** A port typed in a field: an integer from `min` to 65535, or null. */
function portOf(text: string, min: number): number | null {
  if (!/^\d{1,5}$/.test(text.trim())) return null;
  const n = Number(text.trim());
  return n >= min && n <= 65535 ? n : null;
}

/** The spec the fields describe, or the sentence that says what is wrong with them. */
export function tunnelSpecOf(f: {
  kind: TunnelKind;
  bind: string;
  port: string;
  targetHost: string;
  targetPort: string;
}): TunnelSpec | string {
  // -L and -D need a port to bind; -R may leave it to the server (0)
  const port = portOf(f.port, f.kind === 'remote' ? 0 : 1);
  if (port === null) {
    return f.kind === 'remote'
      ? 'The listening port is a number, 0 (the server picks one) to 65535.'
      : 'The listening port is a number, 1 to 65535.';
  }
  const bind = f.bind.trim();
  const listen = bind === '' ? { port } : { host: bind, port };
  if (f.kind === 'dynamic') return { type: 'dynamic', listen };
  const host = f.targetHost.trim();
  if (host === '' && f.targetPort.trim() === '') {
    if (f.kind === 'remote') return { type: 'remote', listen, connect: null };
    return 'A local tunnel needs a target: a host and port, or a socket path.';
  }
  let connect: { host: string; port: number } | { path: string };
  if (host.startsWith('/')) {
    if (f.targetPort.trim() !== '') return 'A socket path takes no port.';
    connect = { path: host };
  } else {
    const to = portOf(f.targetPort, 1);
    if (host === '') return 'The target needs a host.';
    if (to === null) return 'The target port is a number, 1 to 65535.';
    connect = { host, port: to };
  }
  return f.kind === 'local'
    ? { type: 'local', listen, connect }
    : { type: 'remote', listen, connect };
}

/** 1536 → "1.5 KiB". */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** What a tunnel is doing, in words. */
export function tunnelStatus(t: TunnelInfo): string {
  switch (t.state) {
    case 'waiting':
      return 'waiting for the connection';
    case 'starting':
      return 'starting…';
    case 'failed':
      return 'failed';
    case 'removed':
      return 'removed';
    case 'listening': {
      const where = t.spec.type === 'remote' ? 'server port' : 'port';
      const bytes = `↑ ${formatBytes(t.bytesSent)} ↓ ${formatBytes(t.bytesReceived)}`;
      return (
        `listening on ${where} ${t.port ?? '?'} · ${t.activeConnections} open, ` +
        `${t.totalConnections} in all · ${bytes}`
      );
    }
  }
}
