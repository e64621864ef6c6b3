/**
 * A bound on work in flight: `limiter(n)` returns a runner that starts at most `n` of the
 * functions given to it at once and queues the rest, first come first served. The walks use
 * it to list many directories at once without sending a whole tree's requests together.
 * `acquire()` takes a place directly, for work that gives it back part way through; the
 * release it returns gives the place back once, however often it is called.
 */
export interface Limited {
  <T>(work: () => Promise<T>): Promise<T>;
  acquire(): Promise<() => void>;
}

export function limiter(most: number): Limited {
  if (!Number.isInteger(most) || most < 1) throw new RangeError('limit must be a positive integer');
  let active = 0;
  const waiting: (() => void)[] = [];
  const leave = (): void => {
    // a finishing task hands its place straight to the next in line
    const next = waiting.shift();
    if (next === undefined) active--;
    else next();
  };
  const acquire = async (): Promise<() => void> => {
    if (active < most) active++;
    else await new Promise<void>((start) => waiting.push(start));
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      leave();
    };
  };
  const run = async <T>(work: () => Promise<T>): Promise<T> => {
    const release = await acquire();
    try {
      return await work();
    } finally {
      release();
    }
  };
  return Object.assign(run, { acquire });
}
