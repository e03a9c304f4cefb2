import {
  DaytonaAuthenticationError,
  DaytonaConflictError,
  DaytonaConnectionError,
  DaytonaError,
  DaytonaForbiddenError,
  DaytonaGitAuthFailedError,
  DaytonaNotFoundError,
  DaytonaProcessExecutionTimeoutError,
  DaytonaRateLimitError,
  DaytonaTimeoutError,
} from '@daytonaio/sdk';
import { describe, expect, it } from 'vitest';
import { describeFailure, ToolFailure } from '../../main/mcp/errors.ts';

const context = { action: 'run the command in sandbox s1', apiUrl: 'https://app.daytona.io/api', secrets: ['dtn_secretkey123'] };

describe('MCP failure messages (from the SDK error classes)', () => {
  it('401: the key was rejected and how to set a new one', () => {
    const failure = describeFailure(new DaytonaAuthenticationError('Unauthorized: dtn_secretkey123 is invalid', 401), context);
    expect(failure).toMatchObject({ kind: 'auth' });
    expect(failure.message).toBe(
      "API key rejected by Daytona at https://app.daytona.io/api: set a new one with `daytona-tray login` (or in Daytona Tray's settings), then retry.",
    );
  });

  it('git credentials refused is not mistaken for the API key', () => {
    const failure = describeFailure(
      new DaytonaGitAuthFailedError('Authentication failed for https://github.com/x', 401, undefined, 'GIT_AUTH_FAILED'),
      context,
    );
    expect(failure.kind).toBe('invalid');
    expect(failure.message).toMatch(/git server refused the credentials.*username and password/);
  });

  it('404 names the sandbox, or the path for toolbox calls', () => {
    expect(describeFailure(new DaytonaNotFoundError('Sandbox not found', 404), { ...context, sandbox: 's1' }).message).toBe(
      "Sandbox 's1' was not found: list_sandboxes shows the sandboxes this profile can use.",
    );
    expect(
      describeFailure(new DaytonaNotFoundError('File not found: /x', 404, undefined, 'FILE_NOT_FOUND'), {
        ...context,
        sandbox: 's1',
        toolbox: true,
      }).message,
    ).toMatch(/^Could not run the command in sandbox s1: File not found: \/x \(check the path with list_files/);
  });

  it('timeouts, unreachable servers, rate limits, permissions and conflicts each say what to do', () => {
    expect(
      describeFailure(new DaytonaProcessExecutionTimeoutError('Command timed out', 408, undefined, 'PROCESS_EXECUTION_TIMEOUT'), context)
        .message,
    ).toMatch(/timed out.*Raise the 'timeout' argument/);
    expect(describeFailure(new DaytonaTimeoutError('Sandbox failed to start within 60s'), context).kind).toBe('timeout');
    expect(describeFailure(new DaytonaConnectionError('connect ECONNREFUSED 127.0.0.1:1'), context).message).toMatch(
      /Daytona at https:\/\/app\.daytona\.io\/api is unreachable.*Check the network/,
    );
    expect(describeFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), context).kind).toBe('unreachable');
    expect(describeFailure(new DaytonaRateLimitError('Too many requests', 429), context).message).toMatch(/rate-limiting.*Wait a minute/);
    expect(describeFailure(new DaytonaForbiddenError('Forbidden', 403), context).message).toMatch(/not allowed.*daytona-tray login/);
    expect(describeFailure(new DaytonaConflictError('Sandbox is busy', 409), context).message).toBe(
      'Could not run the command in sandbox s1: Sandbox is busy',
    );
    expect(describeFailure(new DaytonaError('Internal', 500), context).message).toMatch(/answered 500.*Retry in a moment/);
  });

  it('never repeats the API key or a stack, and passes ToolFailures through', () => {
    const failure = describeFailure(new DaytonaError('boom with dtn_secretkey123\n    at x (y.js:1:2)', 400), context);
    expect(failure.message).not.toContain('dtn_secretkey123');
    const own = new ToolFailure('invalid', 'Give exactly one of content or localPath.');
    expect(describeFailure(own, context)).toBe(own);
    expect(describeFailure('a string', context).message).toBe('Could not run the command in sandbox s1: a string');
  });
});
