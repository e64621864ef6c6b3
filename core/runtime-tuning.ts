/**
 * V8 settings for a process that runs Keyway's engine: the CLI (cli/main.ts), Electron's main
 * process, the browser host (service/web/main.ts), and the benchmarks that measure them.
 * Called once at start by each of those, never by a library module on import.
 *
 * Incremental marking is turned off. In a bulk transfer node:crypto returns a new buffer for
 * every packet it seals or opens, outside the JavaScript heap (a 512 MiB download allocates
 * 512 MiB of them). That external memory kept starting incremental marking, so the collector
 * was marking nearly all the time, with its write barriers and black allocation on, which also
 * kept dead packet buffers alive until the next cycle. Measured on 2 × EPYC, Node 24, a 512
 * MiB download and upload through OpenSSH's sftp-server: 81–107 full collections by default,
 * 16–18 without incremental marking, and the process's user CPU 0.86–1.17 s → 0.45–0.64 s for
 * the download and 1.16–1.34 s → 0.66–0.90 s for the upload. The collections that remain are
 * atomic: pauses of a few milliseconds on this process's heap of ~15–50 MB, in a process that
 * draws no UI (the renderer is a separate process and keeps V8's defaults).
 *
 * Electron's main process allows v8.setFlagsFromString after start (it passes
 * --no-freeze-flags-after-init, as Node does).
 */
import { setFlagsFromString } from 'node:v8';

/**
 * A client process moves bulk data over a few connections; a server (`keyway sshd`) holds
 * many connections and keeps V8's own limit on external memory (below).
 */
export type RuntimeRole = 'client' | 'server';

let applied = false;

export function applyRuntimeTuning(role: RuntimeRole = 'client'): void {
  if (applied) return;
  applied = true;
  setFlagsFromString('--no-incremental-marking');
  // Without incremental marking, a background thread whose allocation fails waits for the
  // main thread to collect. Concurrent Sparkplug compiles allocate code on a background
  // thread, and one that waited while the main thread was in process.exit() hung the process
  // for good (seen in `keyway sftp`: the exit joins the worker that waits for it). Sparkplug
  // compiles on the main thread instead.
  setFlagsFromString('--no-concurrent-sparkplug');
  // External memory counts toward the heap's global limit, rather than against a limit of its
  // own 64 MiB above what the last full collection left. A download's packet buffers die
  // young, but every 64 MiB of them forced a full collection (16 per GiB, ~12 ms each plus
  // the helper threads' marking), although a scavenge would have freed the lot. With this
  // flag external memory brings scavenges instead. Measured on 2 × EPYC, Node 24, a 1 GiB
  // download through OpenSSH's sftp-server: client main thread ~1.85 → ~1.25 s, V8's helper
  // threads ~530 → ~180 ms; a tree upload of 1 GiB: 3.7 → 2.8 s and 1.2 → 0.4 s.
  // The price: what a dead object in the old generation points to now waits for a full
  // collection, which comes late. So tables that churn on the data path (requests by id,
  // replies by offset) are TakeMaps (core/sftp/take-map.ts), whose left-behind tables hold
  // nothing: with plain Maps, about half of all 1 GiB downloads kept every packet buffer
  // (~1 GB). test/interop/sftp-client-memory bounds a long download's and upload's buffers.
  // `keyway sshd` under 300 half-open connections and a login flood grew by 218-263 MiB
  // with the flag instead of staying under 200 (test/interop/sshd-abuse), so a server keeps
  // V8's own 64 MiB step.
  if (role === 'client') setFlagsFromString('--external-memory-accounted-in-global-limit');
}
