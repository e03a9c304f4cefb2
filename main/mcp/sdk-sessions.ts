import { randomBytes } from 'node:crypto';
import type { Sandbox } from '@daytonaio/sdk';
import type { CommandRef, DaytonaPort } from './daytona-port.ts';
import { ToolFailure } from './errors.ts';

/** Runs a toolbox call on a started sandbox with sdk-daytona's error mapping. */
export type ToolboxCall = <T>(idOrName: string, action: string, fn: (sandbox: Sandbox) => Promise<T>) => Promise<T>;

type SessionMethods = Pick<
  DaytonaPort,
  'startCommand' | 'commandExitCode' | 'commandOutput' | 'sendCommandInput' | 'stopCommand' | 'finishCommand'
>;

/** Idle sessions kept per sandbox, and how many commands one serves before it is replaced (its logs pile up). */
const IDLE_PER_SANDBOX = 2;
const USES_PER_SESSION = 50;

/**
 * Commands that outlive a tool call, on Daytona's process sessions. Each runs alone in its session, so stopping
 * one (deleting its session) kills its process tree and nothing else. A session whose command ended serves the
 * next one: starting a session costs a shell, which would double the time of a quick command. Commands run in a
 * subshell (command-runner.ts), so nothing one does carries over to the next.
 */
export function sessionMethods(toolbox: ToolboxCall): SessionMethods {
  const idle = new Map<string, string[]>();
  const uses = new Map<string, number>();

  const gone = (ref: CommandRef, id: string) =>
    new ToolFailure(
      'not-found',
      `No command ${ref.session}.${ref.commandId} in sandbox ${id}: it was stopped, or the sandbox restarted since. ` +
        'Run it again with execute_command if needed.',
    );
  /** A session the toolbox no longer knows is a command that is gone, not a broken sandbox. */
  const inSession = async <T>(id: string, ref: CommandRef, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) throw gone(ref, id);
      throw error;
    }
  };
  const drop = (id: string, session: string) => {
    uses.delete(session);
    const list = idle.get(id);
    if (list?.includes(session))
      idle.set(
        id,
        list.filter((s) => s !== session),
      );
  };
  const run = async (sandbox: Sandbox, session: string, command: string): Promise<CommandRef> => {
    const started = await sandbox.process.executeSessionCommand(session, { command, runAsync: true, suppressInputEcho: true });
    uses.set(session, (uses.get(session) ?? 0) + 1);
    return { session, commandId: started.cmdId };
  };

  return {
    startCommand: (id, command) =>
      toolbox(id, `start the command in sandbox ${id}`, async (sandbox) => {
        const spare = idle.get(id)?.shift();
        if (spare) {
          try {
            return await run(sandbox, spare, command);
          } catch (error) {
            // Gone (the sandbox restarted) or ended: start afresh in a new session.
            drop(id, spare);
            if (![404, 410].includes((error as { statusCode?: number }).statusCode ?? 0)) throw error;
          }
        }
        const session = `daytona-tray-${randomBytes(6).toString('hex')}`;
        await sandbox.process.createSession(session);
        try {
          return await run(sandbox, session, command);
        } catch (error) {
          drop(id, session);
          await sandbox.process.deleteSession(session).catch(() => {});
          throw error;
        }
      }),

    commandExitCode: (id, ref) =>
      toolbox(id, `check the command ${ref.session} in sandbox ${id}`, (sandbox) =>
        inSession(id, ref, async () => {
          const code = (await sandbox.process.getSessionCommand(ref.session, ref.commandId)).exitCode;
          return typeof code === 'number' ? code : undefined;
        }),
      ),

    commandOutput: (id, ref) =>
      toolbox(id, `read the output of the command ${ref.session} in sandbox ${id}`, (sandbox) =>
        inSession(id, ref, async () => (await sandbox.process.getSessionCommandLogs(ref.session, ref.commandId)).output ?? ''),
      ),

    sendCommandInput: (id, ref, data) =>
      toolbox(id, `send input to the command ${ref.session} in sandbox ${id}`, (sandbox) =>
        inSession(id, ref, () => sandbox.process.sendSessionCommandInput(ref.session, ref.commandId, data)),
      ),

    stopCommand: (id, ref) =>
      toolbox(id, `stop the command ${ref.session} in sandbox ${id}`, (sandbox) => {
        drop(id, ref.session);
        return inSession(id, ref, () => sandbox.process.deleteSession(ref.session));
      }),

    finishCommand: (id, ref) =>
      toolbox(id, `free the session ${ref.session} in sandbox ${id}`, async (sandbox) => {
        const list = idle.get(id) ?? [];
        if (list.includes(ref.session)) return;
        if (list.length < IDLE_PER_SANDBOX && (uses.get(ref.session) ?? 0) < USES_PER_SESSION) {
          idle.set(id, [...list, ref.session]);
          return;
        }
        drop(id, ref.session);
        await sandbox.process.deleteSession(ref.session).catch(() => {});
      }),
  };
}
