import { badRequest } from '../../errors.ts';

// Hand-written on purpose. picomatch 4.0.7 (the kept library micromatch also builds on), tried with
// { dot, posix, nonegate, strictSlashes, noextglob } against test/unit/glob.test.ts, fails 4 of its cases
// where the daemon's doublestar (Go) behaves as this compiler does: `?` does not match a character outside
// the BMP (an emoji is two UTF-16 units, and its `u` flag mode rejects escaped letters such as `ü`); a `{`
// without its `}` makes the pattern match nothing (`{draft*` finds no file); literal `+(c)|` in a name do
// not match themselves; and a reversed range `[z-a]` silently matches nothing instead of a clear 400.

/**
 * A search pattern as a predicate on slash paths below the searched folder. A pattern with a `/` matches the
 * whole relative path (`src/**\/*.ts`), as the daemon's doublestar match does; a pattern without one matches
 * the file name at any depth (`*.ts` finds every TypeScript file), as the SDK's docs promise.
 */
export function globMatcher(pattern: string): (relativePath: string) => boolean {
  const glob = pattern.replace(/^(\.\/)+/, '');
  const regex = globToRegExp(glob);
  if (glob.includes('/')) return (relativePath) => regex.test(relativePath);
  return (relativePath) => regex.test(relativePath.slice(relativePath.lastIndexOf('/') + 1));
}

/**
 * A glob as an anchored RegExp over slash paths: `*` and `?` stay within one path segment, `**` as a whole
 * segment spans any number of them, `[abc]`, `[a-z]`, `[!abc]`/`[^abc]` are classes, `{a,b}` alternatives
 * (nestable), and `\` escapes the next character. A `[` or `{` without its closing bracket is literal.
 */
export function globToRegExp(glob: string): RegExp {
  try {
    return new RegExp(`^${globSource(glob)}$`, 'u');
  } catch {
    // Only a reversed range such as [z-a] gets here.
    throw badRequest(`Invalid glob pattern '${glob}': check its [...] ranges.`);
  }
}

const REGEX_SYNTAX = /[\\^$.*+?()[\]{}|/]/g;
const escapeRegex = (text: string) => text.replace(REGEX_SYNTAX, '\\$&');

function globSource(glob: string): string {
  const chars = [...glob];
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '\\') {
      out += escapeRegex(chars[++i] ?? '\\');
    } else if (c === '*') {
      const double = chars[i + 1] === '*';
      const segmentStart = i === 0 || chars[i - 1] === '/';
      if (double && segmentStart && chars[i + 2] === '/') {
        out += '(?:[^/]*/)*';
        i += 2;
      } else if (double && segmentStart && i + 2 === chars.length) {
        out += '.*';
        i += 1;
      } else {
        while (chars[i + 1] === '*') i++;
        out += '[^/]*';
      }
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = classEnd(chars, i);
      if (end === -1) {
        out += '\\[';
      } else {
        out += classSource(chars.slice(i + 1, end));
        i = end;
      }
    } else if (c === '{') {
      const end = braceEnd(chars, i);
      if (end === -1) {
        out += '\\{';
      } else {
        out += `(?:${splitAlternatives(chars.slice(i + 1, end))
          .map((alt) => globSource(alt))
          .join('|')})`;
        i = end;
      }
    } else {
      out += escapeRegex(c);
    }
  }
  return out;
}

/** Index of the `]` closing the class opened at `open` (a `]` first in the class is a member), or -1. */
function classEnd(chars: string[], open: number): number {
  let i = open + 1;
  if (chars[i] === '!' || chars[i] === '^') i++;
  if (chars[i] === ']') i++;
  for (; i < chars.length; i++) {
    if (chars[i] === '\\') i++;
    else if (chars[i] === ']') return i;
  }
  return -1;
}

function classSource(members: string[]): string {
  const negated = members[0] === '!' || members[0] === '^';
  const first = negated ? 1 : 0;
  let body = '';
  for (let i = first; i < members.length; i++) {
    const c = members[i]!;
    if (c === '\\') body += escapeClassChar(members[++i] ?? '\\');
    // A `-` between two members is a range; first or last it is literal.
    else if (c === '-' && i > first && i < members.length - 1) body += '-';
    else body += escapeClassChar(c);
  }
  // A negated class never matches the path separator (like `*` and `?`).
  return negated ? `[^/${body}]` : `[${body}]`;
}

const escapeClassChar = (c: string) => (/[\\\]^[-]/.test(c) ? `\\${c}` : c);

function braceEnd(chars: string[], open: number): number {
  let depth = 0;
  for (let i = open; i < chars.length; i++) {
    if (chars[i] === '\\') i++;
    else if (chars[i] === '{') depth++;
    else if (chars[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function splitAlternatives(chars: string[]): string[] {
  const alternatives: string[] = [];
  let depth = 0;
  let current = '';
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '\\') {
      current += c + (chars[++i] ?? '');
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') depth--;
    if (c === ',' && depth === 0) {
      alternatives.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  alternatives.push(current);
  return alternatives;
}
