import { isDeepStrictEqual } from 'node:util';
import { isMap, isScalar, isSeq, parseDocument, stringify, type Document, type Pair, type YAMLMap } from 'yaml';
import { findEntry, isObject, notObject, parseError, type ConfigFormat, type EntryPath, type FormatEdit } from './config-format.ts';

/**
 * YAML client configs (Goose, Continue) through the `yaml` package's Document API: it parses, reports the
 * line of an error, and tells where each node sits in the source. We splice our entry's own lines in (or
 * out) at those positions, so every byte outside our entry stays as the user wrote it: comments, anchors,
 * quoting, blank lines, CRLF. Printing the whole document back (the library's toString) keeps comments and
 * order but not always the spacing, so it is only the fallback for layouts we do not splice (flow maps).
 */
export const yamlFormat: ConfigFormat = {
  label: 'YAML',
  keepsBom: true,
  parse: (text, file) => {
    const doc = parseDocument(text);
    const first = doc.errors[0];
    if (first) {
      const at = first.linePos?.[0] ?? { line: 1, col: 1 };
      throw parseError(file, 'YAML', at.line, at.col, first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''));
    }
    if (doc.contents === null) return {}; // empty, or comments only
    if (!isMap(doc.contents)) throw notObject(file, 'YAML', isSeq(doc.contents) ? 'a YAML list' : 'a single YAML value');
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    return isObject(value) ? value : {};
  },
  edit: (text, file, where, value) => {
    const doc = parseDocument(text);
    if (!value && findEntry(yamlFormat.parse(text, file), where, file, true) === undefined) return { text };
    const expected = expectedAfter(doc, where, value);
    let spliced: string | undefined;
    try {
      spliced = splice(text, doc, where, value);
    } catch {
      spliced = undefined;
    }
    if (spliced !== undefined && isDeepStrictEqual(yamlFormat.parse(spliced, file), expected)) return { text: spliced };
    return reprint(doc, where, value);
  },
};

/** What the root must hold after the change: the check our splice has to pass. */
function expectedAfter(doc: Document, where: EntryPath, value: Record<string, unknown> | undefined): unknown {
  const js: unknown = doc.toJS({ maxAliasCount: 1000 });
  const root = isObject(js) ? js : {};
  const current = root[where.key];
  if (where.list) {
    const items = Array.isArray(current) ? current.filter((i) => !(isObject(i) && i.name === where.name)) : [];
    if (value) {
      const at = Array.isArray(current) ? current.findIndex((i) => isObject(i) && i.name === where.name) : -1;
      items.splice(at < 0 ? 0 : at, 0, value);
    }
    if (value || current !== undefined) root[where.key] = items;
  } else {
    const map = isObject(current) ? { ...current } : {};
    if (value) map[where.name] = value;
    else delete map[where.name];
    if (value || current !== undefined) root[where.key] = map;
  }
  return root;
}

/** The Document API's own edit and print: comments and order kept, spacing the library's. */
function reprint(doc: Document, where: EntryPath, value: Record<string, unknown> | undefined): FormatEdit {
  if (where.list) {
    const seq = doc.get(where.key, true);
    const items = isSeq(seq) ? seq.items : [];
    const at = items.findIndex((i) => isMap(i) && i.get('name') === where.name);
    if (at >= 0) items.splice(at, 1);
    if (value) {
      if (isSeq(seq)) seq.items.splice(at < 0 ? 0 : at, 0, doc.createNode(value));
      else doc.set(where.key, doc.createNode([value]));
    }
  } else if (value) doc.setIn([where.key, where.name], doc.createNode(value));
  else doc.deleteIn([where.key, where.name]);
  return {
    text: doc.toString(),
    note: 'The YAML file was printed again by the yaml library (comments and order kept; spacing may differ); the original is in the backup.',
  };
}

/** Our entry's lines spliced into the source; undefined when the layout is not one we splice. */
function splice(text: string, doc: Document, where: EntryPath, value: Record<string, unknown> | undefined): string | undefined {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const root = doc.contents;
  if (root === null) return value ? appendTopLevel(text, where, value, eol) : text;
  if (!isMap(root) || root.flow) return undefined;
  const pair = (root as YAMLMap).items.find((p) => isScalar(p.key) && p.key.value === where.key) as Pair | undefined;
  if (!pair) return value ? appendTopLevel(text, where, value, eol) : text;
  const collection = pair.value;
  if (collection === null || (isScalar(collection) && collection.value === null)) {
    if (!value) return text;
    const start = lineStart(text, (pair.key as { range: [number, number, number] }).range[0]);
    const end = lineEndAfter(
      text,
      isScalar(collection) ? collection.range![2] : (pair.key as { range: [number, number, number] }).range[2],
    );
    const indent = text.slice(start).match(/^[ ]*/)![0];
    return text.slice(0, start) + block({ [where.key]: where.list ? [value] : { [where.name]: value } }, indent, eol) + text.slice(end);
  }
  if ((where.list && !isSeq(collection)) || (!where.list && !isMap(collection))) return undefined;
  const items = (collection as { items: unknown[] }).items;
  if ((collection as { flow?: boolean }).flow || items.length === 0) return undefined;
  const starts = items.map((item) => itemStart(item, where));
  const index = items.findIndex((item) => isOurs(item, where));
  const at = lineStart(text, index >= 0 ? starts[index]! : starts[0]!);
  const indent = text.slice(at).match(/^[ ]*/)![0];
  const ours = value ? (where.list ? block([value], indent, eol) : block({ [where.name]: value }, indent, eol)) : '';
  if (index < 0) return value ? text.slice(0, at) + ours + text.slice(at) : text;
  const end = lineEndAfter(text, itemEnd(items[index], where));
  if (!value && items.length === 1) {
    // The collection would be left empty (`key:` then null): say `key: {}` / `key: []` so the client still reads a map/list.
    const keyEnd = (pair.key as { range: [number, number, number] }).range[1];
    const colon = text.indexOf(':', keyEnd);
    return text.slice(0, colon + 1) + (where.list ? ' []' : ' {}') + text.slice(colon + 1, at) + text.slice(end);
  }
  return text.slice(0, at) + ours + text.slice(end);
}

function isOurs(item: unknown, where: EntryPath): boolean {
  if (where.list) return isMap(item) && item.get('name') === where.name;
  const pair = item as Pair;
  return isScalar(pair.key) && pair.key.value === where.name;
}

function itemStart(item: unknown, where: EntryPath): number {
  const node = where.list ? item : (item as Pair).key;
  return (node as { range: [number, number, number] }).range[0];
}

function itemEnd(item: unknown, where: EntryPath): number {
  if (where.list) return (item as { range: [number, number, number] }).range[2];
  const pair = item as Pair;
  const node = (pair.value ?? pair.key) as { range: [number, number, number] };
  return node.range[2];
}

/** A new top-level `key:` with our entry under it, after the last byte of the file. */
function appendTopLevel(text: string, where: EntryPath, value: Record<string, unknown>, eol: string): string {
  const separator = text === '' || text.endsWith('\n') ? '' : eol;
  return text + separator + block({ [where.key]: where.list ? [value] : { [where.name]: value } }, '', eol);
}

/** `value` printed as block YAML, every line indented by `indent`, ending with a line break. */
function block(value: unknown, indent: string, eol: string): string {
  const lines = stringify(value, { indent: 2, lineWidth: 0 }).replace(/\n$/, '').split('\n');
  const first = lines[0]!;
  // A list item is `- key: ...`; its continuation lines carry two more spaces, which stringify already wrote.
  return [indent + first, ...lines.slice(1).map((line) => indent + line)].join(eol) + eol;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The offset just after the line break that ends the line holding `offset - 1` (or `offset` when it starts a line). */
function lineEndAfter(text: string, offset: number): number {
  if (offset === 0 || text[offset - 1] === '\n') return offset;
  const next = text.indexOf('\n', offset);
  return next < 0 ? text.length : next + 1;
}
