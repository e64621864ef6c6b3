/**
 * Errors in words for people: a ServiceCallError (the service's typed error rebuilt, api/
 * errors.ts) shows its message, with its code for a bug report; anything else its text.
 */
import { ServiceCallError } from '../../core/service/api/errors.js';

export function describeError(e: unknown): string {
  if (e instanceof ServiceCallError) return `${e.message} (${e.code})`;
  if (e instanceof Error) return e.message;
  return String(e);
}
