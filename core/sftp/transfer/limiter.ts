/**
 * A bound on work in flight: `limiter(n)` returns a runner that starts at most `n` of the
 * functions given to it at once and queues the rest, first come first served. The walks use
 * it to list many directories at once without sending a whole tree's requests together.
 */
export type Limited = <T>(work: () => Promise<T>) => Promise<T>;

export function limiter(most: number): Limited {
  if (!Number.isInteger(most) || most < 1) throw new RangeError('limit must be a positive integer');
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (active < most) active++;
    // a finishing task hands its place straight to the next in line
    else await new Promise<void>((start) => waiting.push(start));
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next === undefined) active--;
      else next();
    }
  };
}
