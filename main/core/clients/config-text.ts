import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { applyEdits, findNodeAtLocation, modify, parseTree, type Node } from 'jsonc-parser';
import { parseJsoncObject } from '../jsonc.ts';
import { ClientSetupError } from './types.ts';

/**
 * The text of an AI client's JSON config: parsed leniently (comments, trailing commas), refused with the
 * place to fix when it cannot be edited safely, and changed only at our member so every other byte stays.
 */

/** The text read from a config file and the name to use in messages. */
export interface ConfigText {
  file: string;
  text: string;
}

/** One change at a JSON path: set `value`, or remove the member when `value` is undefined. */
export interface JsonChange {
  path: [string, string];
  value: unknown;
}

export interface PlanOptions {
  /** The client reads strict JSON only: if the result still has comments or trailing commas, rewrite it as plain JSON. */
  strictOutput: boolean;
}

export interface PlannedText {
  text: string;
  /** Comments/trailing commas had to go for a strict-JSON client. */
  normalized: boolean;
}

/**
 * The new file text: only our member changes, every other byte stays as it was (comments, order,
 * formatting), except that a strict-JSON client gets plain JSON when the old text was not.
 */
export function planChange(snapshot: ConfigText, changes: readonly JsonChange[], options: PlanOptions): PlannedText {
  for (const change of changes) assertNoDuplicateKeys(snapshot, change.path);
  let text = snapshot.text;
  for (const change of changes)
    text = change.value === undefined ? removeMember(text, change.path) : setMember(text, change.path, change.value);
  if (options.strictOutput && text.trim() !== '' && !isStrictJson(text)) {
    const style = detectStyle(text);
    return {
      text: JSON.stringify(parseRoot(text, snapshot.file), null, style.unit).replaceAll('\n', style.eol) + style.eol,
      normalized: true,
    };
  }
  return { text, normalized: false };
}

/** A unified diff of the change, for `setup --dry-run` and the log. */
export function unifiedDiff(file: string, before: string, after: string): string {
  return createTwoFilesPatch(file, file, before, after, 'current', 'after', { context: 3, headerOptions: FILE_HEADERS_ONLY });
}

/**
 * The file's root object, or a ClientSetupError that names the file and the place to fix. With `editPath`, a
 * key that appears twice on it is refused too (naming its line): parsers keep different copies, so an edit
 * to the first one may be silently dropped by the client.
 */
export function parseRoot(text: string, file: string, editPath?: readonly string[]): Record<string, unknown> {
  const parsed = parseJsoncObject(text, editPath);
  if (parsed.ok) return parsed.value;
  const { problem } = parsed;
  switch (problem.kind) {
    case 'syntax':
      throw new ClientSetupError(
        'PARSE',
        `Cannot parse ${file} (line ${problem.line}, column ${problem.column}: ${problem.what}), so it was left as it is. Fix that line or move the file away, then retry.`,
        file,
      );
    case 'not-object':
      throw new ClientSetupError(
        'NOT_OBJECT',
        `${file} holds a JSON ${problem.type}, not an object, so it was left as it is. Fix it or move it away, then retry.`,
        file,
      );
    case 'duplicate':
      throw new ClientSetupError(
        'DUPLICATE_KEY',
        `${file} has the key "${problem.key}" twice in ${problem.at} (again on line ${problem.line}), and programs disagree on which copy counts, so the file was left as it is. Merge the two into one, then retry.`,
        file,
      );
  }
}

/** Throws the DUPLICATE_KEY error when a key appears twice on `path` (see parseRoot). */
export function assertNoDuplicateKeys(snapshot: ConfigText, path: readonly string[]): void {
  parseRoot(snapshot.text, snapshot.file, path);
}

export function isStrictJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

interface Style {
  unit: string;
  eol: string;
}

/** The file's own indentation unit and line ending, so our lines look like the rest. */
function detectStyle(text: string): Style {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indented = /^([ \t]+)\S/m.exec(text);
  return { unit: indented?.[1] ?? '  ', eol };
}

function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

function sameLine(text: string, a: number, b: number): boolean {
  return !text.slice(Math.min(a, b), Math.max(a, b)).includes('\n');
}

function pretty(value: unknown, indent: string, style: Style): string {
  return JSON.stringify(value, null, style.unit).replaceAll('\n', style.eol + indent);
}

/** Sets `path` (two levels) to `value`, inserting our own pretty lines so no neighbour is reformatted. */
function setMember(text: string, path: [string, string], value: unknown): string {
  const style = detectStyle(text);
  const [outerKey, innerKey] = path;
  const tree = parseTree(text, [], { allowTrailingComma: true });
  if (!tree) {
    // Empty, or only comments: the comments stay, our object follows them.
    const comments = text.trimEnd();
    return `${comments}${comments ? style.eol : ''}${pretty({ [outerKey]: { [innerKey]: value } }, '', style)}${style.eol}`;
  }
  const outer = findNodeAtLocation(tree, [outerKey]);
  if (!outer) return insertMember(text, tree, outerKey, { [innerKey]: value }, style);
  if (outer.type !== 'object') throw new Error(`'${outerKey}' is not an object`); // callers check the shape first
  const existing = findNodeAtLocation(outer, [innerKey]);
  if (!existing) return insertMember(text, outer, innerKey, value, style);
  const replacement = sameLine(text, outer.offset, outer.offset + outer.length)
    ? JSON.stringify(value)
    : pretty(value, lineIndent(text, existing.parent!.offset), style);
  return text.slice(0, existing.offset) + replacement + text.slice(existing.offset + existing.length);
}

function insertMember(text: string, object: Node, key: string, value: unknown, style: Style): string {
  const children = object.children ?? [];
  const last = children[children.length - 1];
  const oneLine = sameLine(text, object.offset, object.offset + object.length);
  // A compact file stays compact: `{"a":1}` gets `,"key":value`, and `{}` inside a one-line file gets `"key":value`.
  if (oneLine && (last || !text.trim().includes('\n'))) {
    const at = last ? last.offset + last.length : object.offset + 1;
    return `${text.slice(0, at)}${last ? ',' : ''}${JSON.stringify(key)}:${JSON.stringify(value)}${text.slice(at)}`;
  }
  const first = children[0];
  const outerIndent = lineIndent(text, object.offset);
  const indent = first && !sameLine(text, object.offset, first.offset) ? lineIndent(text, first.offset) : outerIndent + style.unit;
  const member = `${JSON.stringify(key)}: ${pretty(value, indent, style)}`;
  if (last) {
    const at = last.offset + last.length;
    return `${text.slice(0, at)},${style.eol}${indent}${member}${text.slice(at)}`;
  }
  const at = object.offset + 1;
  const rest = text.slice(at);
  // An empty object: our member on its own line, the closing brace on the next (unless it already starts one).
  const closing = /^[ \t]*\r?\n/.test(rest) ? '' : `${style.eol}${outerIndent}`;
  return `${text.slice(0, at)}${style.eol}${indent}${member}${closing}${rest}`;
}

function removeMember(text: string, path: [string, string]): string {
  return applyEdits(text, modify(text, path, undefined, {}));
}
