import { parseDocument } from '@decimalturn/toml-patch';
import { createScanner } from 'jsonc-parser';
import { Lexer } from 'yaml';
import type { ConfigFormat } from './config-format.ts';

/**
 * The comments of a config file, each as written, in order: to tell whether another program's rewrite of the
 * file (a client's own `mcp add`) kept them. Each format's own parser finds them, so a `#` or `//` inside a
 * string is never taken for one.
 */
export function commentsOf(text: string, format: Pick<ConfigFormat, 'label'> | undefined): string[] {
  const label = format?.label ?? 'JSON';
  if (label === 'TOML') return tomlComments(text);
  if (label === 'YAML') return [...new Lexer().lex(text)].filter((token) => token.startsWith('#')).map((token) => token.trim());
  const scanner = createScanner(text, false);
  const found: string[] = [];
  for (let kind = scanner.scan(); kind !== EOF; kind = scanner.scan()) {
    if (kind === LINE_COMMENT || kind === BLOCK_COMMENT) found.push(scanner.getTokenValue().trim());
  }
  return found;
}

// jsonc-parser's SyntaxKind is a const enum, which this build cannot import: its values (jsonc-parser 3.x main.d.ts).
const LINE_COMMENT = 12;
const BLOCK_COMMENT = 13;
const EOF = 17;

/** The comments of `before` that `after` no longer has (counted: two equal comments need two). */
export function lostComments(before: readonly string[], after: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const comment of after) left.set(comment, (left.get(comment) ?? 0) + 1);
  return before.filter((comment) => {
    const count = left.get(comment) ?? 0;
    if (count === 0) return true;
    left.set(comment, count - 1);
    return false;
  });
}

function tomlComments(text: string): string[] {
  const found: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    const item = node as { type?: string; raw?: string };
    if (item.type === 'Comment' && typeof item.raw === 'string') found.push(item.raw.trim());
    for (const [key, child] of Object.entries(node)) if (key !== 'loc') walk(child);
  };
  // The syntax tree is the library's (it keeps comments for its own patching); a walk reads every Comment node.
  walk(parseDocument(text).cst);
  return found;
}
