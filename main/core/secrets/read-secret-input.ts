import type { Readable, Writable } from 'node:stream';
import { AppError } from '../app-error.ts';

export interface SecretInputOptions {
  /** stdin: a TTY gets a hidden prompt; anything else (a pipe, a file) is read to the end. */
  input: Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  /** Where the prompt goes (stderr, so stdout stays clean for scripts). */
  output: Writable;
  prompt: string;
  maxLength?: number;
}

export class SecretInputError extends AppError {
  readonly cancelled: boolean;
  constructor(message: string, cancelled = false) {
    super(message);
    this.cancelled = cancelled;
  }
}

/**
 * Reads one secret the way secrets should arrive in a CLI: never from argv (visible in `ps` and shell
 * history), but piped on stdin or typed at a prompt that does not echo.
 */
export async function readSecretInput(options: SecretInputOptions): Promise<string> {
  const maxLength = options.maxLength ?? 4_096;
  const raw =
    options.input.isTTY && options.input.setRawMode ? await readHidden(options, maxLength) : await readAll(options.input, maxLength);
  const secret = raw.trim();
  if (!secret) throw new SecretInputError('No API key given: pipe it on stdin or type it at the prompt.');
  if (/\s/.test(secret)) throw new SecretInputError('Expected one API key, got several words or lines: pass only the key.');
  return secret;
}

async function readAll(input: Readable, maxLength: number): Promise<string> {
  let text = '';
  input.setEncoding('utf8');
  for await (const chunk of input) {
    text += chunk as string;
    if (text.length > maxLength * 4) throw new SecretInputError(`The input is too long for an API key (over ${maxLength} characters).`);
  }
  if (text.trim().length > maxLength) throw new SecretInputError(`The input is too long for an API key (over ${maxLength} characters).`);
  return text;
}

function readHidden(options: SecretInputOptions, maxLength: number): Promise<string> {
  const { input, output } = options;
  return new Promise((resolve, reject) => {
    let secret = '';
    let pending = '';
    const finish = (error?: Error) => {
      input.off('data', onData);
      input.setRawMode!(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(secret);
    };
    const onData = (chunk: string) => {
      // Drop terminal escape sequences (arrow keys, bracketed-paste markers) but keep the text around them;
      // a sequence cut in two by a chunk boundary waits in `pending` for its end.
      pending += chunk;
      /* eslint-disable no-control-regex */
      const text = pending.replace(/\u001b\[[0-9;?]*[~A-Za-z]/g, '');
      pending = /\u001b(\[[0-9;?]*)?$/.test(text) ? text.slice(text.lastIndexOf('\u001b')) : '';
      /* eslint-enable no-control-regex */
      const usable = pending ? text.slice(0, text.lastIndexOf('\u001b')) : text;
      for (const char of usable) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003') return finish(new SecretInputError('Cancelled.', true));
        if (char === '\u0004' && secret === '') return finish(new SecretInputError('Cancelled.', true));
        if (char === '\u007f' || char === '\b') secret = secret.slice(0, -1);
        else if (char >= ' ') secret += char;
        if (secret.length > maxLength)
          return finish(new SecretInputError(`The input is too long for an API key (over ${maxLength} characters).`));
      }
    };
    // Echo off before the prompt shows: a key typed or pasted the moment the prompt appears is never echoed.
    input.setRawMode!(true);
    output.write(options.prompt);
    input.setEncoding('utf8');
    input.on('data', onData);
    input.resume();
  });
}
