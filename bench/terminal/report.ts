/**
 * The terminal benchmark's figures as markdown tables, like the other benchmarks print:
 * throughput per server and path with its ratio to OpenSSH `ssh -tt` against the same server,
 * the Ctrl-C medians, and the bundle's files with a total.
 */
import type { TerminalBenchResult } from '../terminal.bench.js';

const kb = (n: number) => (n / 1024).toFixed(1);
const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : '—');

export function formatResult(r: TerminalBenchResult): string {
  const o = r.options;
  const out: string[] = [
    `machine: ${r.machine}`,
    `payload ${o.mb} MB of 100-byte text lines; Ctrl-C after ${o.floodMs} ms of \`yes\`, ` +
      `median of ${o.rounds}`,
    '',
    '### throughput: `cat` into a terminal',
    '| server | path | MB/s | × ssh -tt |',
    '|---|---|---:|---:|',
  ];
  for (const row of r.throughput) {
    const base = r.throughput.find((x) => x.server === row.server && x.path === 'ssh -tt');
    const note = row.error ? ` (FAILED: ${row.error})` : '';
    out.push(
      `| ${row.server} | ${row.path}${note} | ${fixed(row.mbps, 1)} | ` +
        `${fixed(row.mbps / (base?.mbps ?? NaN), 2)} |`,
    );
  }
  out.push('', '### Ctrl-C under a `yes` flood, until the prompt is rendered (Chromium)');
  out.push('| server | median ms | samples ms |', '|---|---:|---|');
  for (const row of r.ctrlC) {
    const note = row.error ? ` (FAILED: ${row.error})` : '';
    const samples = row.samplesMs.map((x) => x.toFixed(0)).join(', ');
    out.push(`| ${row.server}${note} | ${fixed(row.medianMs, 0)} | ${samples} |`);
  }
  out.push('', '### renderer bundle (dist/ui, no source maps)');
  out.push('| file | KiB | gzip KiB |', '|---|---:|---:|');
  for (const f of r.bundle) out.push(`| ${f.file} | ${kb(f.raw)} | ${kb(f.gzip)} |`);
  const raw = r.bundle.reduce((a, f) => a + f.raw, 0);
  const gzip = r.bundle.reduce((a, f) => a + f.gzip, 0);
  out.push(`| total | ${kb(raw)} | ${kb(gzip)} |`);
  return out.join('\n');
}
