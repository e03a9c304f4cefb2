import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import type { UpgradeRoute } from '../../log-stream.ts';
import { SANDBOX_HOME } from '../../sandbox-record.ts';
import type { SandboxService } from '../../sandbox-service.ts';
import { ENV_KEY } from '../run-command.ts';
import type { Chunk, InterpreterContexts, Outcome } from './contexts.ts';
import { NO_PYTHON, NO_PYTHON_SHORT } from './python.ts';

/** The execute route, under {toolboxProxyUrl}/{sandboxId}. */
export const EXECUTE_PATH = /^\/toolbox\/([^/]+)\/process\/interpreter\/execute$/;

/** WebSocket close codes of Daytona's interpreter: 4008 is its execution timeout (the SDK raises DaytonaTimeoutError). */
const CLOSE_NORMAL = 1000;
const CLOSE_GOING_AWAY = 1001;
const CLOSE_POLICY = 1008;
const CLOSE_INTERNAL = 1011;
const CLOSE_TIMEOUT = 4008;
/** Daytona's default when the request names no timeout (daemon interpreter controller). */
const DEFAULT_TIMEOUT_SEC = 600;
/** A running execution counts as sandbox activity (auto-stop), refreshed at most this often. */
const TOUCH_MS = 10_000;

const requestSchema = z.object({
  code: z.string(),
  contextId: z.string().optional(),
  timeout: z.number().int().optional(),
  envs: z.record(z.string().regex(ENV_KEY), z.string()).optional(),
});

/** WebSocket close reasons are at most 123 bytes. */
const reason = (text: string) =>
  Buffer.from(text)
    .subarray(0, 123)
    .toString('utf8')
    .replace(/\uFFFD$/, '');

/**
 * `codeInterpreter.runCode()`: the client sends one JSON request ({code, contextId?, envs?, timeout?}); the chunks
 * come back as JSON text frames, then the socket closes (1000 when done, 4008 on a timeout, 1001 when the worker
 * died). An UpgradeRoute for attachLogStreams, which has authenticated the upgrade.
 */
export function executeUpgrade(service: SandboxService, contexts: InterpreterContexts): UpgradeRoute {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  return (req, socket, head, url, reject) => {
    const match = EXECUTE_PATH.exec(url.pathname);
    if (!match) return false;
    const sandboxId = decodeURIComponent(match[1]!);
    try {
      service.requireStarted(sandboxId);
    } catch (error) {
      const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : 404;
      reject(status, error instanceof Error ? error.message : 'Not Found');
      return true;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.once('message', (data) => {
        void execute(ws, String(data), sandboxId, service, contexts).catch((error: unknown) => {
          close(ws, CLOSE_INTERNAL, error instanceof Error ? error.message : String(error));
        });
      });
    });
    return true;
  };
}

function close(ws: WebSocket, code: number, text: string): void {
  if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason(text));
}

async function execute(ws: WebSocket, data: string, sandboxId: string, service: SandboxService, contexts: InterpreterContexts) {
  let parsed: z.infer<typeof requestSchema>;
  try {
    parsed = requestSchema.parse(JSON.parse(data));
  } catch {
    return close(ws, 1002, 'invalid JSON payload: send {"code": "..."}');
  }
  if (!parsed.code) return close(ws, CLOSE_POLICY, 'code is required');
  if (parsed.timeout !== undefined && parsed.timeout < 0) return close(ws, CLOSE_POLICY, 'timeout must be greater than or equal to 0');
  let record;
  try {
    record = service.requireStarted(sandboxId);
  } catch (error) {
    return close(ws, CLOSE_POLICY, error instanceof Error ? error.message : 'sandbox not started');
  }
  const context = contexts.context(record, parsed.contextId, SANDBOX_HOME);
  if (!context) return close(ws, CLOSE_POLICY, `context not found: ${parsed.contextId}`);
  let touchedAt = Date.now();
  const send = (chunk: Chunk) => {
    if (ws.readyState === ws.OPEN) {
      ws.send(
        JSON.stringify({
          type: chunk.type,
          text: chunk.text ?? '',
          name: chunk.name ?? '',
          value: chunk.value ?? '',
          traceback: chunk.traceback ?? '',
        }),
      );
    }
    if (Date.now() - touchedAt > TOUCH_MS) {
      touchedAt = Date.now();
      try {
        service.touch(service.get(sandboxId));
      } catch {
        // the sandbox is gone: its worker ends with it
      }
    }
  };
  const timeoutSec = parsed.timeout ?? DEFAULT_TIMEOUT_SEC;
  // A client that goes away does not stop the execution (as on Daytona): its output is dropped.
  let outcome: Outcome;
  try {
    outcome = await context.execute(parsed.code, parsed.envs ?? {}, timeoutSec * 1000, send);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return close(ws, CLOSE_INTERNAL, message === NO_PYTHON ? NO_PYTHON_SHORT : message);
  }
  if (outcome === 'interrupted' || outcome === 'timeout') close(ws, CLOSE_TIMEOUT, '');
  else if (outcome === 'ended') close(ws, CLOSE_GOING_AWAY, 'worker process ended');
  else close(ws, CLOSE_NORMAL, '');
}
