import type { ErrorRequestHandler, RequestHandler } from 'express';

/** Daemon error codes the SDK maps to typed errors (docs/daytona-api.md §6.4). */
export type DaemonErrorCode =
  | 'FILE_NOT_FOUND'
  | 'FILE_ACCESS_DENIED'
  | 'FILE_READ_FAILED'
  | 'INVALID_FILE_PATH'
  | 'PROCESS_EXECUTION_TIMEOUT'
  | 'PROCESS_NOT_FOUND'
  | 'SESSION_ENDED'
  | 'COMMAND_ALREADY_COMPLETED'
  | 'GIT_AUTH_FAILED'
  | 'GIT_REPO_NOT_FOUND'
  | 'GIT_BRANCH_NOT_FOUND'
  | 'GIT_BRANCH_EXISTS'
  | 'GIT_PUSH_REJECTED'
  | 'GIT_DIRTY_WORKTREE'
  | 'GIT_MERGE_CONFLICT'
  | 'GIT_TRANSPORT_FAILED'
  | 'GIT_REMOTE_REJECTED'
  | 'A11Y_UNAVAILABLE'
  // Daytona's daemon answers these too (apps/daemon/pkg/toolbox/computeruse/accessibility.go); the SDK maps them by status.
  | 'A11Y_NODE_NOT_FOUND'
  | 'A11Y_NO_ACCESSIBLE_ROOT'
  | 'A11Y_ACTION_NOT_SUPPORTED'
  | 'A11Y_INVALID_SCOPE'
  | 'A11Y_INVALID_REQUEST'
  | 'A11Y_INTERNAL'
  | 'RECORDING_STILL_ACTIVE'
  | 'RECORDING_FFMPEG_NOT_FOUND'
  | 'BAD_REQUEST'
  | 'INVALID_REQUEST_BODY'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'REQUEST_TIMEOUT'
  | 'UNPROCESSABLE_ENTITY'
  | 'INTERNAL_SERVER_ERROR';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** An expected failure with a message that tells the caller what to do. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: DaemonErrorCode | undefined;
  constructor(status: number, message: string, code?: DaemonErrorCode) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const badRequest = (message: string, code: DaemonErrorCode = 'BAD_REQUEST') => new ApiError(400, message, code);
export const notFound = (message: string, code: DaemonErrorCode = 'NOT_FOUND') => new ApiError(404, message, code);
export const conflict = (message: string, code: DaemonErrorCode = 'CONFLICT') => new ApiError(409, message, code);

/** Main-API error body: `{statusCode, error, message, path, timestamp}` (docs/daytona-api.md §12). */
export function apiErrorBody(status: number, message: string, path: string) {
  return { statusCode: status, error: REASONS[status] ?? 'Error', message, path, timestamp: new Date().toISOString() };
}

/** Toolbox (daemon) error body; `source: DAYTONA_DAEMON` + `code` make the SDK throw its typed errors. */
export function daemonErrorBody(status: number, message: string, code: DaemonErrorCode, path: string, method: string) {
  return { statusCode: status, message, code, source: 'DAYTONA_DAEMON', timestamp: new Date().toISOString(), path, method };
}

function defaultCode(status: number): DaemonErrorCode {
  switch (status) {
    case 400:
      return 'BAD_REQUEST';
    case 401:
      return 'UNAUTHORIZED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 408:
      return 'REQUEST_TIMEOUT';
    case 409:
      return 'CONFLICT';
    default:
      return status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST';
  }
}

/** Turns any thrown value into Daytona's error shape; toolbox routes get the daemon shape. */
export function errorHandler(log: (line: string) => void): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    let status = 500;
    let message = 'An unexpected error occurred.';
    let code: DaemonErrorCode | undefined;
    if (err instanceof ApiError) {
      status = err.status;
      message = err.message;
      code = err.code;
    } else if (isBodyParserError(err)) {
      status = err.status;
      message =
        err.type === 'entity.parse.failed'
          ? `Malformed JSON body: ${err.message}. Send a valid JSON object with Content-Type: application/json.`
          : err.type === 'entity.too.large'
            ? `Request body is larger than the ${err.limit}-byte limit: send a smaller body (files go through the toolbox upload, not JSON).`
            : err.message;
      code = err.type === 'entity.parse.failed' ? 'INVALID_REQUEST_BODY' : undefined;
    } else {
      log(`internal error on ${req.method} ${req.path}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const path = req.originalUrl.split('?')[0] ?? req.originalUrl;
    if (req.originalUrl.startsWith('/toolbox/')) {
      res.status(status).json(daemonErrorBody(status, message, code ?? defaultCode(status), path, req.method));
    } else {
      res.status(status).json(apiErrorBody(status, message, path));
    }
  };
}

interface BodyParserError {
  status: number;
  type: string;
  message: string;
  limit?: number;
}
function isBodyParserError(err: unknown): err is BodyParserError {
  return typeof err === 'object' && err !== null && 'type' in err && 'status' in err && typeof (err as BodyParserError).status === 'number';
}

/** Express 5 forwards rejected promises to the error handler; this only narrows the type. */
export type AsyncHandler = RequestHandler;
