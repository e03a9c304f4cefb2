import type { Clock } from './clock.ts';
import type { LogBuffer } from './log-buffer.ts';
import { adoptSharedServer, type AdoptedServer } from './shared-adopt.ts';
import { replaceSharedServer } from './shared-takeover.ts';
import type { ServerConfig } from './server-config.ts';

export interface AdoptionOptions {
  runtimeFile: string;
  clock: Clock;
  log: LogBuffer;
  note(line: string): void;
  timings?: { healthIntervalMs?: number; healthTimeoutMs?: number; healthFailuresToRestart?: number };
}

/** The McpSupervisor's hold on a shared server it adopted at start (at most one at a time). */
export interface Adoption {
  current(): AdoptedServer | undefined;
  /**
   * A server the AI clients' bridges started while no tray ran is adopted when it serves what the tray would
   * (`next`): its connected clients, calls in flight and local sandboxes carry on untouched. False when there is
   * none, or when it serves something else or does not answer (noted; the children's start then replaces it).
   * `onLost` is called once if the adopted server later dies or stops answering.
   */
  adopt(next: ServerConfig, onLost: (server: AdoptedServer, why: string) => void): Promise<boolean>;
  /** Stops supervising it, leaving it running (a replacement follows, or the tray serves with its own children). */
  release(): Promise<void>;
  /**
   * At the tray's quit: with AI clients connected, the adopted server keeps serving them (a shared server again,
   * stopping on its own a grace period after the last); with none, it stops with the tray, as the tray's own would.
   */
  leave(): Promise<void>;
}

export function createAdoption(options: AdoptionOptions): Adoption {
  const { runtimeFile, note } = options;
  let adopted: AdoptedServer | undefined;

  async function release(): Promise<void> {
    const was = adopted;
    adopted = undefined;
    await was?.release();
  }

  return {
    current: () => adopted,
    async adopt(next, onLost) {
      const outcome = await adoptSharedServer({
        runtimeFile,
        config: next,
        clock: options.clock,
        healthIntervalMs: options.timings?.healthIntervalMs ?? 5_000,
        healthTimeoutMs: options.timings?.healthTimeoutMs ?? 5_000,
        healthFailuresToRestart: options.timings?.healthFailuresToRestart ?? 2,
        // Called only while adopted: a released server's watch is over.
        onLost: (why) => {
          if (adopted) onLost(adopted, why);
        },
      }).catch((error: unknown) => ({ replace: `it could not be checked (${(error as Error).message})`, pid: 0 }));
      if (!outcome) return false;
      if ('replace' in outcome) {
        note(`the MCP server that AI clients shared while the tray was not running (pid ${outcome.pid}) is replaced: ${outcome.replace}`);
        return false;
      }
      const found = (adopted = outcome.adopted);
      if (found.local) options.log.addSecret(found.local.apiKey);
      note(
        `adopted the MCP server that AI clients shared while the tray was not running (pid ${found.pid}, ${found.url}): ` +
          "the tray supervises it from now on; its clients, calls and sandboxes carry on (its own log: mcp-shared.log in the app's data folder)",
      );
      return true;
    },
    release,
    async leave() {
      const server = adopted;
      if (!server) return;
      const others = await server.otherClients();
      await release();
      if (others !== 0) {
        note(`the shared MCP server (pid ${server.pid}) keeps running for the AI clients using it; it stops on its own once none is left`);
        return;
      }
      const stopping = `no AI client uses the adopted shared MCP server (pid ${server.pid}): it stops with the tray`;
      await replaceSharedServer({ runtimeFile, note, stopping });
    },
  };
}
