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

let applied = false;

export function applyRuntimeTuning(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString('--no-incremental-marking');
  // Without incremental marking, a background thread whose allocation fails waits for the
  // main thread to collect. Concurrent Sparkplug compiles allocate code on a background
  // thread, and one that waited while the main thread was in process.exit() hung the process
  // for good (seen in `keyway sftp`: the exit joins the worker that waits for it). Sparkplug
  // compiles on the main thread instead.
  setFlagsFromString('--no-concurrent-sparkplug');
  // Not set: --external-memory-accounted-in-global-limit (tried in 736dd78). A 1 GiB download
  // then took one full collection instead of 17 (client CPU 3.24 → 2.25 s), but in most runs
  // the packet buffers were no longer freed as it went: they piled up toward the heap's
  // global limit, ~1 GB held at the end of a fresh process's 1 GiB download and 1.8 GB at
  // 2.3 GiB of 3, still growing (test/interop/sftp-client-memory).
}
