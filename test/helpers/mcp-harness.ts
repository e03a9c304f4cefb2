import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { CLI } from './paths.ts';

/** A child's environment without any Daytona settings of the machine running the tests. */
export function cleanEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('DAYTONA_') && value !== undefined) env[key] = value;
  }
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value;
  return env;
}

export interface CliChild {
  child: ChildProcess;
  /** Everything written to stderr so far. */
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts the built CLI (`out/main/cli.js`) with piped stdio; `nodeArgs` go to Node before the script. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv, cwd: string, nodeArgs: string[] = []): CliChild {
  const child = spawn(process.execPath, [...nodeArgs, CLI, ...args], { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    stderr: () => stderr,
    exited,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/**
 * An MCP client transport over a child's stdin/stdout that keeps every raw stdout line, so a test can check
 * that nothing but JSON-RPC ever came out.
 */
export class ChildStdioTransport implements Transport {
  readonly lines: string[] = [];
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private buffer = '';
  private readonly cli: CliChild;

  constructor(cli: CliChild) {
    this.cli = cli;
  }

  async start(): Promise<void> {
    const stdout = this.cli.child.stdout!;
    stdout.setEncoding('utf8');
    stdout.on('data', (chunk: string) => {
      this.buffer += chunk;
      let newline: number;
      while ((newline = this.buffer.indexOf('\n')) !== -1) {
        const line = this.buffer.slice(0, newline);
        this.buffer = this.buffer.slice(newline + 1);
        this.lines.push(line);
        try {
          this.onmessage?.(JSON.parse(line) as JSONRPCMessage);
        } catch (error) {
          this.onerror?.(error as Error);
        }
      }
    });
    void this.cli.exited.then(() => this.onclose?.());
  }

  async send(message: JSONRPCMessage): Promise<void> {
    this.cli.child.stdin!.write(`${JSON.stringify(message)}\n`);
  }

  /** Writes a raw line (for malformed-input tests). */
  sendRaw(line: string): void {
    this.cli.child.stdin!.write(`${line}\n`);
  }

  async close(): Promise<void> {
    this.cli.child.stdin!.end();
  }

  /** Lines that are not one JSON-RPC 2.0 message, plus any partial line left at the end. */
  impureLines(): string[] {
    const bad = this.lines.filter((line) => {
      try {
        const parsed = JSON.parse(line) as { jsonrpc?: unknown };
        return parsed.jsonrpc !== '2.0';
      } catch {
        return true;
      }
    });
    return this.buffer ? [...bad, this.buffer] : bad;
  }
}

export async function connectClient(transport: Transport, name = 'daytona-tray-test'): Promise<Client> {
  const client = new Client({ name, version: '0.0.0' });
  await client.connect(transport);
  return client;
}

export interface RuntimeInfo {
  url: string;
  port: number;
  token: string;
  pid: number;
}

export function runtimeFileOf(home: string): string {
  return join(home, 'mcp-server.json');
}

/** Waits for the HTTP server's runtime file to describe process `pid`. */
export async function waitForRuntimeFile(home: string, pid: number, timeoutMs = 20_000): Promise<RuntimeInfo> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const info = JSON.parse(await readFile(runtimeFileOf(home), 'utf8')) as RuntimeInfo;
      if (info.pid === pid) return info;
    } catch {
      // not there yet
    }
    if (Date.now() > deadline) throw new Error(`no runtime file for pid ${pid} in ${home} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts `daytona-tray mcp --http` and waits until its runtime file is written. */
export async function startHttpChild(
  env: NodeJS.ProcessEnv,
  home: string,
  cwd: string,
  extraArgs: string[] = [],
): Promise<{ cli: CliChild; info: RuntimeInfo }> {
  const cli = spawnCli(['mcp', '--http', ...extraArgs], env, cwd);
  const info = await Promise.race([
    waitForRuntimeFile(home, cli.child.pid!),
    cli.exited.then(({ code }) => {
      throw new Error(`mcp --http exited with ${code}: ${cli.stderr()}`);
    }),
  ]);
  return { cli, info };
}

export function httpTransport(info: RuntimeInfo): StreamableHTTPClientTransport {
  return new StreamableHTTPClientTransport(new URL(info.url), { requestInit: { headers: { authorization: `Bearer ${info.token}` } } });
}

/** The text of a tool result's first content block. */
export function textOf(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.find((block) => block.type === 'text')?.text ?? '';
}
