import { ClientSetupError } from './types.ts';

/**
 * A client's config file format, as the safe writer needs it: read it, and change our one entry while
 * every byte outside it stays as it was. The JSON engine lives in config-file.ts; YAML and TOML beside it.
 */
export interface ConfigFormat {
  /** Named in messages: "JSON", "YAML", "TOML". */
  label: string;
  /** The file's root as plain data; throws ClientSetupError (PARSE with the line, NOT_OBJECT) for anything else. */
  parse(text: string, file: string): Record<string, unknown>;
  /** The new text with our entry set to `value`, or removed when `value` is undefined. */
  edit(text: string, file: string, where: EntryPath, value: Record<string, unknown> | undefined): FormatEdit;
  /** Write a UTF-8 BOM back when the file had one (the JSON clients that read strict JSON choke on it). */
  keepsBom: boolean;
}

/** What reading a file needs (config-file.ts reads JSON by default). */
export type RootParser = Pick<ConfigFormat, 'label' | 'parse'>;

export interface FormatEdit {
  text: string;
  /** Said to the user when the edit could not keep the rest of the file as it was (e.g. comments dropped). */
  note?: string;
}

/**
 * Where our entry lives: the member `name` of the map at root key `key`, or (`list`, as in Continue's
 * `mcpServers:` sequence) the item of the list at `key` whose `name` field is `name`.
 */
export interface EntryPath {
  key: string;
  name: string;
  list?: boolean;
}

/** Our entry in a parsed root, or undefined; BAD_SHAPE when the collection is not a map (or list). */
export function findEntry(
  root: Record<string, unknown>,
  where: EntryPath,
  file: string,
  nullIsEmpty = false,
): Record<string, unknown> | undefined {
  if (!Object.hasOwn(root, where.key)) return undefined;
  const collection = root[where.key];
  if (collection === null && nullIsEmpty) return undefined; // YAML's `key:` with nothing after it
  if (where.list) {
    if (!Array.isArray(collection)) throw badShape(file, where, 'a list');
    const item: unknown = collection.find((i) => isObject(i) && i.name === where.name);
    return item as Record<string, unknown> | undefined;
  }
  if (!isObject(collection)) throw badShape(file, where, 'an object');
  if (!Object.hasOwn(collection, where.name)) return undefined;
  const entry = collection[where.name];
  // A `daytona` member that is not an object is someone else's (or broken): judged as foreign, never ours.
  return isObject(entry) ? entry : { value: entry };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function badShape(file: string, where: EntryPath, what: string): ClientSetupError {
  return new ClientSetupError(
    'BAD_SHAPE',
    `In ${file}, "${where.key}" is not ${what}, so the file was left as it is. Fix it by hand, then retry.`,
    file,
  );
}

/** The error for a file we cannot parse: names the file and the line, and says nothing was changed. */
export function parseError(file: string, label: string, line: number, column: number, what: string): ClientSetupError {
  return new ClientSetupError(
    'PARSE',
    `Cannot parse ${file} as ${label} (line ${line}, column ${column}: ${what}), so it was left as it is. Fix that line or move the file away, then retry.`,
    file,
  );
}

export function notObject(file: string, label: string, what: string): ClientSetupError {
  return new ClientSetupError(
    'NOT_OBJECT',
    `${file} holds ${what}, not a ${label} map of settings, so it was left as it is. Fix it or move it away, then retry.`,
    file,
  );
}
