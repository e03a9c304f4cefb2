/**
 * One keychain operation in a child process: the request (with the secret, for `set`) arrives as JSON on
 * stdin, the answer leaves as one JSON line on stdout. It runs in a child because a keychain call can block
 * forever at an unlock prompt, and the native call cannot be cancelled: the parent kills this process on
 * timeout instead, so its own event loop and thread pool are never held hostage.
 *
 * On Linux the store is pinned to the Secret Service: @napi-rs/keyring would otherwise fall back silently
 * to the kernel keyring, which forgets everything at reboot.
 */
import { Entry } from '@napi-rs/keyring';
import { redact } from '../redact.ts';

export type KeyringRequest =
  | { op: 'get'; service: string; account: string }
  | { op: 'set'; service: string; account: string; secret: string }
  | { op: 'delete'; service: string; account: string };
export type KeyringResponse = { ok: true; value: string | boolean | null } | { ok: false; error: string };

// Checked by hand rather than with zod: the request comes from our own parent, and importing zod would
// triple this process's start-up time (about 40 of 60 ms), paid on every keychain call.
function parseRequest(input: unknown): KeyringRequest {
  const r = input as Partial<Record<'op' | 'service' | 'account' | 'secret', unknown>> | null;
  const text = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
  if (!r || !text(r.service) || !text(r.account)) throw new Error('bad request');
  if (r.op === 'get' || r.op === 'delete') return { op: r.op, service: r.service, account: r.account };
  if (r.op === 'set' && text(r.secret)) return { op: 'set', service: r.service, account: r.account, secret: r.secret };
  throw new Error('bad request');
}

function perform(request: KeyringRequest): string | boolean | null {
  const entry = new Entry(request.service, request.account, { linux: { store: 'secret-service' } });
  switch (request.op) {
    case 'get':
      return entry.getPassword();
    case 'set':
      entry.setPassword(request.secret);
      return null;
    case 'delete':
      return entry.deleteCredential();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<KeyringResponse> {
  let request: KeyringRequest;
  try {
    request = parseRequest(JSON.parse(await readStdin()));
  } catch {
    // Never echo the parse error: it may quote the input, which carries the secret.
    return { ok: false, error: 'keyring worker: malformed request' };
  }
  try {
    return { ok: true, value: perform(request) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: request.op === 'set' ? redact(message, [request.secret]) : message };
  }
}

process.stdout.write(`${JSON.stringify(await main())}\n`);
