import { parseTree, printParseErrorCode, stripComments, type Node, type ParseError } from 'jsonc-parser';

/**
 * Lenient JSON for files people edit by hand (our settings, AI clients' configs): comments and trailing
 * commas are fine, a file holding only comments (or nothing) is an empty object, and what cannot be read
 * is reported with its line and column.
 */
export type JsoncParse =
  { ok: true; tree: Node | undefined; value: unknown; comments: boolean } | { ok: false; line: number; column: number; what: string };

export function parseJsonc(text: string): JsoncParse {
  const bare = stripComments(text);
  const comments = bare !== text;
  if (bare.trim() === '') return { ok: true, tree: undefined, value: {}, comments };
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0 || !tree) {
    const first = errors[0];
    const where = first ? lineColumn(text, first.offset) : { line: 1, column: 1 };
    return { ok: false, ...where, what: first ? printParseErrorCode(first.error) : 'no JSON value' };
  }
  return { ok: true, tree, value: nodeValue(tree), comments };
}

/** Why a hand-edited file is not a JSON object, in words that name the place to fix. */
export type JsoncObjectProblem =
  | { kind: 'syntax'; line: number; column: number; what: string }
  | { kind: 'not-object'; type: string }
  | { kind: 'duplicate'; key: string; line: number; at: string };

export type JsoncObjectParse =
  { ok: true; tree: Node | undefined; value: Record<string, unknown>; comments: boolean } | { ok: false; problem: JsoncObjectProblem };

/**
 * A file whose root must be an object (a config file). With `editPath`, a key that appears twice on that path
 * is a problem too: readers disagree on which copy wins, so an edit made to one copy may be dropped.
 */
export function parseJsoncObject(text: string, editPath?: readonly string[]): JsoncObjectParse {
  const parsed = parseJsonc(text);
  if (!parsed.ok) return { ok: false, problem: { kind: 'syntax', line: parsed.line, column: parsed.column, what: parsed.what } };
  if (parsed.tree && parsed.tree.type !== 'object') return { ok: false, problem: { kind: 'not-object', type: parsed.tree.type } };
  if (editPath) {
    const duplicate = duplicateKeyOnPath(text, parsed.tree, editPath);
    if (duplicate) return { ok: false, problem: { kind: 'duplicate', ...duplicate } };
  }
  return { ok: true, tree: parsed.tree, value: parsed.value as Record<string, unknown>, comments: parsed.comments };
}

/** jsonc-parser's getNodeValue, with __proto__ kept as a plain key (it is data here, never a prototype). */
export function nodeValue(node: Node): unknown {
  switch (node.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const property of node.children ?? []) {
        const [key, value] = property.children ?? [];
        if (key && value)
          Object.defineProperty(out, String(key.value), { value: nodeValue(value), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case 'array':
      return (node.children ?? []).map(nodeValue);
    default:
      return node.value;
  }
}

/**
 * The first key on `path` that appears twice in its object (or any key twice in the object `path` ends at),
 * with the line of its second appearance. JSON parsers disagree on which copy wins, so a change made to one may be dropped.
 */
export function duplicateKeyOnPath(
  text: string,
  tree: Node | undefined,
  path: readonly string[],
): { key: string; line: number; at: string } | undefined {
  let object = tree;
  for (let depth = 0; object?.type === 'object'; depth++) {
    const seen = new Set<string>();
    let next: Node | undefined;
    for (const property of object.children ?? []) {
      const [key, value] = property.children ?? [];
      const name = String(key?.value);
      // On the way down only the key we follow matters; inside the object we edit, every key does.
      const relevant = depth >= path.length || name === path[depth];
      if (relevant && seen.has(name))
        return {
          key: name,
          line: lineColumn(text, key!.offset).line,
          at: depth === 0 ? 'the top level' : `"${path.slice(0, depth).join('.')}"`,
        };
      seen.add(name);
      if (depth < path.length && name === path[depth]) next = value;
    }
    if (depth >= path.length) return undefined;
    object = next;
  }
  return undefined;
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}
