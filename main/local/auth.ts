import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ApiError } from './errors.ts';

/** Constant-time comparison (hashing first makes the lengths equal). */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Requires `Authorization: Bearer <apiKey>`, as Daytona does for the API and the toolbox proxy. */
export function requireBearer(apiKey: string): RequestHandler {
  return (req, _res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match) throw new ApiError(401, 'Missing API key: send Authorization: Bearer <api key>.', 'UNAUTHORIZED');
    if (!tokensEqual(match[1]!.trim(), apiKey))
      throw new ApiError(401, 'Invalid API key: use the key the local provider printed at start.', 'UNAUTHORIZED');
    next();
  };
}
