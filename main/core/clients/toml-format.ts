import { isDeepStrictEqual } from 'node:util';
import { parse, parseDocument, patch, stringify } from '@decimalturn/toml-patch';
import { isObject, parseError, type ConfigFormat, type EntryPath } from './config-format.ts';
import { ClientSetupError } from './types.ts';

/**
 * TOML client configs (Codex CLI's config.toml, `[mcp_servers.<name>]` tables). Parsing, error lines and
 * printing our own section come from @decimalturn/toml-patch, chosen among the candidates because it is
 * pure JavaScript with no dependencies, parses TOML 1.1 to a concrete syntax tree with line positions,
 * and keeps CRLF and a BOM: @shopify/toml-patch and @rainbowatcher/toml-edit-js (Rust's toml_edit as
 * wasm) both turned CRLF files into LF, @shopify/toml-patch only sets scalars and arrays, and
 * toml-eslint-parser only parses. Its `patch()` re-spaces a tab before a comment anywhere in the file,
 * so we splice our section's lines ourselves (append it, or replace/cut its lines, found through the
 * syntax tree) and use `patch()` only where our entry is written some other way (dotted keys, inline).
 */

export const tomlFormat: ConfigFormat = {
  label: 'TOML',
  keepsBom: true,
  parse: (text, file) => {
    try {
      return plainObject(parse(text));
    } catch (error) {
      const e = error as Error & { line?: number; column?: number };
      const what = e.message.split('\n').slice(-1)[0]?.trim() || 'invalid TOML';
      throw parseError(file, 'TOML', e.line ?? 1, (e.column ?? 0) + 1, what);
    }
  },
  edit: (text, file, where, value) => {
    if (where.list) throw new Error('TOML entries are tables, not list items');
    const root = tomlFormat.parse(text, file);
    const servers = root[where.key];
    if (servers !== undefined && !isObject(servers)) throw badShape(file, where);
    if (!value && (servers === undefined || !Object.hasOwn(servers, where.name))) return { text };
    const changed = tomlFormat.parse(text, file);
    const map = (changed[where.key] ??= {}) as Record<string, unknown>;
    if (value) map[where.name] = value;
    else delete map[where.name];
    const readsBack = (out: string) => {
      try {
        return isDeepStrictEqual(plain(tomlFormat.parse(out, file)), plain(changed));
      } catch {
        return false;
      }
    };
    const spliced = splice(text, where, value);
    if (spliced !== undefined && readsBack(spliced)) return { text: spliced };
    // Our entry is written another way (dotted keys, an inline table): let the library edit it.
    let out = patch(text, changed, { inlineTableStart: 2 });
    if (!out.endsWith('\n')) out += text.includes('\r\n') ? '\r\n' : '\n';
    if (!readsBack(out)) {
      throw new ClientSetupError(
        'IO',
        `Could not change ${file} safely (the TOML editor's result did not read back as intended), so it was left as it is. Add the entry by hand.`,
        file,
      );
    }
    return { text: out, note: 'The TOML editor may have re-spaced comments near the change; the original is in the backup.' };
  },
};

/**
 * Our `[key.name]` section (and its sub-tables) spliced by whole lines: replaced where it is, cut out
 * with the blank line we put before it, or appended after a blank line. Undefined when the entry is not
 * (only) such a section.
 */
function splice(text: string, where: EntryPath, value: Record<string, unknown> | undefined): string | undefined {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const span = sectionSpan(text, where);
  const section = value
    ? [
        `[${where.key}.${where.name}]`,
        ...stringify(value, { inlineTableStart: 0 })
          .split('\n')
          .filter((l) => l !== ''),
      ].map((l) => l + eol)
    : [];
  if (span === 'other') return undefined;
  if (span === undefined) {
    if (!value) return text;
    const head = text === '' ? '' : text.endsWith('\n') ? text + eol : text + eol + eol;
    return head + section.join('');
  }
  let first = span.first - 1;
  const count = span.last - span.first + 1;
  if (!value && first > 0 && /^\r?\n$/.test(lines[first - 1]!)) first--; // the blank line we added before it
  lines.splice(first, count + (span.first - 1 - first), ...section);
  return lines.join('');
}

/** The 1-based lines of our section; 'other' when the entry is also (or only) written another way. */
function sectionSpan(text: string, where: EntryPath): { first: number; last: number } | 'other' | undefined {
  const blocks = parseDocument(text).cst as unknown as CstBlock[];
  const ours = (path: readonly string[]) => path[0] === where.key && path[1] === where.name;
  let span: { first: number; last: number } | undefined;
  let previous = -1;
  for (const [index, block] of blocks.entries()) {
    const path = block.type === 'KeyValue' ? block.key.value : (block.key?.item?.value ?? []);
    if (block.type === 'Table' && ours(path)) {
      if (span && previous !== index - 1) return 'other';
      span = { first: span?.first ?? block.loc.start.line, last: block.loc.end.line };
      previous = index;
    } else if (path[0] === where.key && (path.length === 1 || ours(path))) {
      if (block.type !== 'Table' || path.length === 1) {
        // `[key]` with `name.x = ...` inside, `key.name = {...}` at the root, or an inline `key = {...}`.
        const inner =
          block.type === 'Table' ? (block.items ?? []).some((i) => i.type === 'KeyValue' && i.key.value[0] === where.name) : true;
        if (inner) return 'other';
      }
    }
  }
  return span;
}

interface CstBlock {
  type: string;
  loc: { start: { line: number }; end: { line: number } };
  key: { value: string[]; item?: { value: string[] } };
  items?: { type: string; key: { value: string[] } }[];
}

/** The parser's objects have no prototype; callers (and deep equality) want plain ones. Dates stay as they are. */
function plainObject(value: unknown): Record<string, unknown> {
  return toPlain(value) as Record<string, unknown>;
}

function toPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toPlain);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    Object.defineProperty(out, k, { value: toPlain(v), enumerable: true, writable: true, configurable: true });
  return out;
}

/** Plain data to compare (the parser's objects may not share Object.prototype; dates by their text). */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
}

function badShape(file: string, where: EntryPath): ClientSetupError {
  return new ClientSetupError(
    'BAD_SHAPE',
    `In ${file}, "${where.key}" is not a table, so the file was left as it is. Fix it by hand, then retry.`,
    file,
  );
}
