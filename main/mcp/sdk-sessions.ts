import type { Sandbox } from '@daytonaio/sdk';
import type { CommandRef, DaytonaPort } from './daytona-port.ts';
import { ToolFailure } from './errors.ts';

/** Runs a toolbox call on a started sandbox with sdk-daytona's error mapping. */
export type ToolboxCall = <T>(idOrName: string, action: string, fn: (sandbox: Sandbox) => Promise<T>) => Promise<T>;

type SessionMethods = Pick<
  DaytonaPort,
  'startCommand' | 'findCommand' | 'commandExitCode' | 'commandOutput' | 'sendCommandInput' | 'stopCommand'
>;

/**
 * Commands that outlive a tool call, on Daytona's process sessions: one session per command, so stopping one
 * (deleting its session) kills its process tree and nothing else.
 */
export function sessionMethods(toolbox: ToolboxCall): SessionMethods {
  const gone = (session: string, id: string) =>
    new ToolFailure(
      'not-found',
      `No command with handle ${session} in sandbox ${id}: it was stopped, or it ended and a result already gave its exit code ` +
        '(the handle is released then), or the sandbox restarted. Run it again with execute_command if needed.',
    );
  /** A session the toolbox no longer knows is a handle that is gone, not a broken sandbox. */
  const inSession = async <T>(id: string, session: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) throw gone(session, id);
      throw error;
    }
  };
  return {
    startCommand: (id, session, command) =>
      toolbox(id, `start the command in sandbox ${id}`, async (sandbox) => {
        await sandbox.process.createSession(session);
        try {
          const started = await sandbox.process.executeSessionCommand(session, { command, runAsync: true, suppressInputEcho: true });
          return { session, commandId: started.cmdId };
        } catch (error) {
          await sandbox.process.deleteSession(session).catch(() => {});
          throw error;
        }
      }),

    findCommand: (id, session) =>
      toolbox(id, `find the command ${session} in sandbox ${id}`, (sandbox) =>
        inSession(id, session, async () => {
          const command = (await sandbox.process.getSession(session)).commands?.[0];
          if (!command) throw gone(session, id);
          return { session, commandId: command.id };
        }),
      ),

    commandExitCode: (id, ref: CommandRef) =>
      toolbox(id, `check the command ${ref.session} in sandbox ${id}`, (sandbox) =>
        inSession(id, ref.session, async () => {
          const code = (await sandbox.process.getSessionCommand(ref.session, ref.commandId)).exitCode;
          return typeof code === 'number' ? code : undefined;
        }),
      ),

    commandOutput: (id, ref) =>
      toolbox(id, `read the output of the command ${ref.session} in sandbox ${id}`, (sandbox) =>
        inSession(id, ref.session, async () => (await sandbox.process.getSessionCommandLogs(ref.session, ref.commandId)).output ?? ''),
      ),

    sendCommandInput: (id, ref, data) =>
      toolbox(id, `send input to the command ${ref.session} in sandbox ${id}`, (sandbox) =>
        inSession(id, ref.session, () => sandbox.process.sendSessionCommandInput(ref.session, ref.commandId, data)),
      ),

    stopCommand: (id, session) =>
      toolbox(id, `stop the command ${session} in sandbox ${id}`, (sandbox) =>
        inSession(id, session, () => sandbox.process.deleteSession(session)),
      ),
  };
}
