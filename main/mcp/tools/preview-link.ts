import { z } from 'zod';
import { defineTool, sandboxId } from '../tool-kit.ts';

/**
 * Prints `listening` when a process of THIS sandbox listens on the port, `elsewhere` when the port answers but
 * its socket belongs to no process the sandbox can see (another sandbox or the host sharing the network), else
 * `closed`. It reads the kernel's socket table (/proc/net/tcp*) and the sandbox's own processes' descriptors;
 * where /proc/net is unreadable it falls back to connecting (curl, else bash's /dev/tcp).
 */
export function portCheckCommand(port: number): string {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return (
    `if [ -r /proc/net/tcp ]; then ` +
    `inodes=$(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '$4 == "0A" && substr($2, length($2) - 4) == ":${hex}" { print $10 }'); ` +
    `if [ -z "$inodes" ]; then echo closed; exit 0; fi; ` +
    `fds=$(ls -l /proc/[0-9]*/fd 2>&1); ` +
    `for inode in $inodes; do if printf '%s' "$fds" | grep -q "socket:\\[$inode\\]"; then echo listening; exit 0; fi; done; ` +
    // A process this user cannot inspect (another user's, in the same sandbox) may own it: say listening.
    `if printf '%s' "$fds" | grep -q 'Permission denied'; then echo listening; else echo elsewhere; fi; ` +
    `elif command -v curl >/dev/null 2>&1; then curl -s -o /dev/null --max-time 5 http://127.0.0.1:${port}/ >/dev/null 2>&1 && echo listening || echo closed; ` +
    `else timeout 5 bash -c '</dev/tcp/127.0.0.1/${port}' >/dev/null 2>&1 && echo listening || echo closed; fi`
  );
}

export const previewLink = defineTool({
  name: 'preview_link',
  group: 'preview',
  title: 'Get a preview link',
  description:
    'Returns a URL that opens a port of a sandbox in a browser (e.g. a dev server on 3000). Private sandboxes need the ' +
    'returned token as the x-daytona-preview-token header, or ask for a signed link (the token is in the URL). ' +
    'checkServer first checks that something listens on the port inside the sandbox.',
  input: {
    id: sandboxId(),
    port: z.number().int().min(1).max(65535).describe('The port the server listens on inside the sandbox.'),
    description: z.string().max(500).optional().describe('What runs on the port (echoed back, for your notes).'),
    checkServer: z.boolean().default(false).describe('Check that a server listens on the port before returning the link.'),
    signed: z.boolean().default(false).describe('Return a signed URL that works without a header (expires).'),
    expiresInSeconds: z.number().int().min(60).max(86_400).default(3600).describe('Lifetime of a signed URL in seconds (default 3600).'),
  },
  output: { url: z.string(), port: z.number(), token: z.string().optional(), listening: z.boolean().optional() },
  annotations: { title: 'Get a preview link', readOnlyHint: true, openWorldHint: true },
  async run(args, { daytona }) {
    let listening: boolean | undefined;
    let answer = '';
    if (args.checkServer) {
      const check = await daytona.executeCommand(args.id, portCheckCommand(args.port), { timeoutSec: 15 });
      answer = check.output.trim().split('\n').pop() ?? '';
      listening = answer === 'listening';
    }
    const link = await daytona.previewLink(args.id, args.port, args.signed ? { expiresInSeconds: args.expiresInSeconds } : undefined);
    const lines = [`${args.description ? `${args.description}: ` : ''}${link.url}`];
    if (link.token) lines.push(`For a private sandbox, send the header x-daytona-preview-token: ${link.token}`);
    if (answer === 'elsewhere') {
      lines.push(
        `No process in sandbox ${args.id} listens on port ${args.port}: the port answers, but from outside this sandbox (another sandbox or the host). Start the server in this sandbox, or use another port.`,
      );
    } else if (listening === false)
      lines.push(
        `Nothing listens on port ${args.port} in the sandbox yet: start the server there (listening on 127.0.0.1 or localhost is enough), then open the link.`,
      );
    return {
      text: lines.join('\n'),
      structured: {
        url: link.url,
        port: args.port,
        ...(link.token ? { token: link.token } : {}),
        ...(listening === undefined ? {} : { listening }),
      },
    };
  },
});
