import { z } from 'zod';
import { defineTool, sandboxId } from '../tool-kit.ts';

/** Exits 0 when something accepts connections on the port inside the sandbox (curl, else bash's /dev/tcp). */
export function portCheckCommand(port: number): string {
  return `if command -v curl >/dev/null 2>&1; then curl -s -o /dev/null --max-time 5 http://127.0.0.1:${port}/; ` +
    `else timeout 5 bash -c '</dev/tcp/127.0.0.1/${port}'; fi >/dev/null 2>&1 && echo listening || echo closed`;
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
    if (args.checkServer) {
      const check = await daytona.executeCommand(args.id, portCheckCommand(args.port), { timeoutSec: 15 });
      listening = check.output.trim().endsWith('listening');
    }
    const link = await daytona.previewLink(args.id, args.port, args.signed ? { expiresInSeconds: args.expiresInSeconds } : undefined);
    const lines = [`${args.description ? `${args.description}: ` : ''}${link.url}`];
    if (link.token) lines.push(`For a private sandbox, send the header x-daytona-preview-token: ${link.token}`);
    if (listening === false) lines.push(`Nothing listens on port ${args.port} in the sandbox yet: start the server there (bound to 0.0.0.0), then open the link.`);
    return {
      text: lines.join('\n'),
      structured: { url: link.url, port: args.port, ...(link.token ? { token: link.token } : {}), ...(listening === undefined ? {} : { listening }) },
    };
  },
});
