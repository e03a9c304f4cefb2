import type { z } from 'zod';
import { badRequest } from './errors.ts';

/** Parses `value` or throws a 400 that names the offending field and says what is expected. */
export function parseOrBadRequest<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : undefined;
  const detail = issue?.message ?? 'invalid value';
  throw badRequest(field ? `Invalid ${where}: '${field}' ${detail}` : `Invalid ${where}: ${detail}`, 'INVALID_REQUEST_BODY');
}

export function assertPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw badRequest('Invalid port: use an integer from 1 to 65535.');
  return port;
}
