/**
 * A bound on work in flight: `limiter(n)` returns a runner that starts functions while their
 * places add up to at most `n` and queues the rest, first come first served: one that needs
 * more places than are free waits, and so does everything behind it, so the order of starting
 * is the order of asking. A function takes one place unless given more (`weight`, at most
 * `n`). The walks use it to list many directories at once without sending a whole tree's
 * requests together; a tree's files take places by how much they keep in flight.
 * `acquire()` takes places directly, for work that gives them back part way through; the
 * release it returns gives them back once, however often it is called.
 */
export interface Limited {
  <T>(work: () => Promise<T>, weight?: number): Promise<T>;
  acquire(weight?: number): Promise<() => void>;
}

interface Waiting {
  readonly weight: number;
  readonly start: () => void;
}

export function limiter(most: number): Limited {
  if (!Number.isInteger(most) || most < 1) throw new RangeError('limit must be a positive integer');
  let active = 0;
  const waiting: Waiting[] = [];
  const startWaiting = (): void => {
    // the first in line starts once its places are free, and only then those behind it
    for (;;) {
      const next = waiting[0];
      if (next === undefined || active + next.weight > most) return;
      waiting.shift();
      active += next.weight;
      next.start();
    }
  };
  const acquire = async (weight = 1): Promise<() => void> => {
    if (!Number.isInteger(weight) || weight < 1 || weight > most) {
      throw new RangeError(`weight must be an integer from 1 to ${most}, not ${weight}`);
    }
    if (waiting.length === 0 && active + weight <= most) active += weight;
    else await new Promise<void>((start) => waiting.push({ weight, start }));
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      active -= weight;
      startWaiting();
    };
  };
  const run = async <T>(work: () => Promise<T>, weight = 1): Promise<T> => {
    const release = await acquire(weight);
    try {
      return await work();
    } finally {
      release();
    }
  };
  return Object.assign(run, { acquire });
}
