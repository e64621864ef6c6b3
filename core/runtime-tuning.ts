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
  // young, but its young generation filled only every ~2,000 packets, by when 64 MiB more
  // were outside the heap: every 64 MiB forced a full collection (17 per GiB here, each
  // 12-16 ms, the last ones flushing bytecode and moving the old generation), although the
  // next scavenge would have freed the lot. With this flag 1 GiB takes one full collection
  // and ~30 scavenges. Measured on 2 × EPYC, Node 24, a 1 GiB download through OpenSSH's
  // sftp-server, 9 interleaved rounds: client CPU 3.24 → 2.25 s, 3.52 → 2.94 s; tree
  // transfers 10-40% less CPU. The price is memory: buffers held by dead objects in the old
  // generation now wait for the heap's global limit to be freed. A download's peak went from
  // 188 to 246 MB resident; `keyway sshd` under 300 half-open connections and a login flood
  // grew by 218-263 MiB instead of staying under 200 (test/interop/sshd-abuse). So a server
  // keeps V8's own 64 MiB step.
  if (role === 'client') setFlagsFromString('--external-memory-accounted-in-global-limit');
}
