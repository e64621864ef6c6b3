/** The service's own check of a tunnel spec (api/schemas.ts): null when valid, else why not. */
import { methodSchemas } from '../../core/service/api/schemas.js';

export function tunnelSchemaCheck(spec: unknown): string | null {
  const r = methodSchemas.addTunnel.safeParse({ connectionId: 'c0ffee00', spec });
  return r.success ? null : r.error.message;
}
