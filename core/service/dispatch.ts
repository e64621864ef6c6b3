/**
 * The service host's one entry point for calls (CONVENTIONS §11: main validates every
 * argument at run time, types vanish at the boundary): a method name and an argument of
 * unknown shape in, the handler's result out. Unknown methods and arguments that fail their
 * zod schema reject with typed errors before any handler runs. Electron's IPC binding and the
 * browser host both call through here.
 */
import type { MethodName, MethodResults } from './api/contract.js';
import { methodSchemas, type ValidArgs } from './api/schemas.js';
import { InvalidArgumentError, UnknownMethodError } from './errors.js';

export type Handlers = {
  readonly [M in MethodName]: (args: ValidArgs<M>) => Promise<MethodResults[M]>;
};

export type Dispatch = (method: string, args: unknown) => Promise<unknown>;

const MAX_ISSUES = 10;

function isMethod(m: string): m is MethodName {
  return Object.hasOwn(methodSchemas, m);
}

export function createDispatch(handlers: Handlers): Dispatch {
  return async (method, args) => {
    if (!isMethod(method)) {
      throw new UnknownMethodError(`no method ${JSON.stringify(method.slice(0, 100))}`, {
        method: method.slice(0, 100),
      });
    }
    const parsed = methodSchemas[method].safeParse(args ?? {});
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, MAX_ISSUES).map((i) => ({
        path: i.path.map(String).join('.'),
        message: i.message,
      }));
      const first = issues[0];
      throw new InvalidArgumentError(
        `${method}: invalid argument${first ? ` ${first.path || '(root)'}: ${first.message}` : ''}`,
        { method, issues },
      );
    }
    const handler = handlers[method] as (a: unknown) => Promise<unknown>;
    return handler(parsed.data);
  };
}
