import type { Request } from 'express';
import { ApiError } from './errors.ts';

/**
 * Daytona calls the local provider does not do, by the generated clients' operation names (@daytona/api-client and
 * @daytona/toolbox-api-client 0.218.0). They answer 422 with Daytona's error shape, as Daytona answers an operation a
 * sandbox does not support ("Pausing is not supported for this sandbox"): a 404 would make the SDK raise "not found",
 * and a program would believe the sandbox gone.
 */
const API_OPERATIONS: [method: string, template: string, operation: string][] = [
  ['POST', '/sandbox/{id}/backup', 'createBackup'],
  ['POST', '/sandbox/{id}/snapshot', 'createSandboxSnapshot'],
  ['GET', '/sandbox/{id}/build-logs', 'getBuildLogs'],
  ['GET', '/sandbox/{id}/build-logs-url', 'getBuildLogsUrl'],
  ['POST', '/sandbox/{id}/ssh-access', 'createSshAccess'],
  ['DELETE', '/sandbox/{id}/ssh-access', 'revokeSshAccess'],
  ['GET', '/sandbox/ssh-access/validate', 'validateSshAccess'],
  ['GET', '/sandbox/{id}/secrets', 'resolveSandboxSecrets'],
  ['GET', '/sandbox/{id}/signing-key', 'getSandboxSigningKey'],
  ['POST', '/sandbox/{id}/signing-key/rotate', 'rotateSigningKey'],
  ['GET', '/sandbox/{id}/telemetry/logs', 'getSandboxLogs'],
  ['GET', '/sandbox/{id}/telemetry/metrics', 'getSandboxMetrics'],
  ['GET', '/sandbox/{id}/telemetry/traces', 'getSandboxTraces'],
  ['GET', '/sandbox/{id}/telemetry/traces/{traceId}', 'getSandboxTraceSpans'],
  ['GET', '/sandbox/{id}/organization', 'getOrganizationBySandboxId'],
  ['GET', '/sandbox/{id}/region-quota', 'getRegionQuotaBySandboxId'],
  ['PUT', '/sandbox/{id}/state', 'updateSandboxState'],
  ['GET', '/sandbox/for-runner', 'getSandboxesForRunner'],
  ['POST', '/snapshots', 'createSnapshot'],
  ['DELETE', '/snapshots/{id}', 'removeSnapshot'],
  ['POST', '/snapshots/{id}/activate', 'activateSnapshot'],
  ['POST', '/snapshots/{id}/deactivate', 'deactivateSnapshot'],
  ['GET', '/snapshots/{id}/build-logs', 'getSnapshotBuildLogs'],
  ['GET', '/snapshots/{id}/build-logs-url', 'getSnapshotBuildLogsUrl'],
  ['GET', '/object-storage/push-access', 'getPushAccess'],
  ['GET', '/warm-pools', 'listWarmPools'],
  ['POST', '/warm-pools', 'createWarmPool'],
  ['PATCH', '/warm-pools/{id}', 'updateWarmPool'],
  ['DELETE', '/warm-pools/{id}', 'deleteWarmPool'],
];

/** Toolbox calls, relative to {toolboxProxyUrl}/{sandboxId}. */
const TOOLBOX_OPERATIONS: [method: string, template: string, operation: string][] = [
  // The runner's call that hands a new daemon its token and telemetry settings: a local sandbox has no daemon.
  ['POST', '/init', 'initialize'],
];

/** What to do instead, in full and short enough for a WebSocket close reason (123 bytes). */
const HINTS: [prefix: string, hint: string, short: string][] = [
  ['/init', 'it is how Daytona sets up the agent inside a new sandbox, and a local sandbox needs none', 'no daemon to initialize'],
  [
    '/snapshots',
    `the local provider has one snapshot, 'local' (this machine's system): create sandboxes from it, or use a Daytona Cloud profile`,
    'use a Daytona Cloud profile',
  ],
];

const compile = (table: [string, string, string][]) =>
  table.map(([method, template, operation]) => ({
    method,
    template,
    operation,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
  }));
const API = compile(API_OPERATIONS);
const TOOLBOX = compile(TOOLBOX_OPERATIONS);

/** The operation a Daytona call names, when it is one the local provider does not do. */
export function unsupportedOperation(kind: 'api' | 'toolbox', method: string, path: string): string | undefined {
  const entry = (kind === 'api' ? API : TOOLBOX).find((op) => op.method === method && op.pattern.test(path));
  // Computer use is served where this host can run it (toolbox/computer-use/); what is not served is named as a whole.
  if (!entry && kind === 'toolbox' && path.startsWith('/computeruse/')) return `computer use (${method} /toolbox/{sandboxId}${path})`;
  return entry && `${entry.operation} (${entry.method} ${kind === 'api' ? '/api' : '/toolbox/{sandboxId}'}${entry.template})`;
}

/** The message for an unsupported operation: what it is, that the local provider does not do it, and what to do. */
export function unsupportedMessage(operation: string, path: string): string {
  const hint = HINTS.find(([prefix]) => path.startsWith(prefix))?.[1] ?? 'use a Daytona Cloud profile for it';
  return `${operation} is not supported by the local provider: ${hint}.`;
}

/** The close reason for a WebSocket call the provider does not do (at most 123 bytes, as WebSocket allows). */
export function unsupportedCloseReason(operation: string, path: string): string {
  const name = operation.replace(/ \((GET|POST|DELETE|PUT|PATCH) .*\)$/, '');
  const hint = HINTS.find(([prefix]) => path.startsWith(prefix))?.[2] ?? 'use a Daytona Cloud profile';
  return `${name} is not supported by the local provider: ${hint}`;
}

/**
 * Express handler for the end of a router: a known Daytona operation gets a 422 that names it; anything else falls
 * through. `before` runs first for an unsupported call (the API checks the sandbox exists: a missing one stays 404).
 */
export function refuseUnsupported(kind: 'api' | 'toolbox', before: (path: string) => void = () => {}) {
  return (req: Request, _res: unknown, next: () => void) => {
    const path = req.path;
    const operation = unsupportedOperation(kind, req.method, path);
    if (!operation) return next();
    before(path);
    throw new ApiError(422, unsupportedMessage(operation, path), kind === 'toolbox' ? 'UNPROCESSABLE_ENTITY' : undefined);
  };
}
