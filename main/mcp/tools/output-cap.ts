/**
 * Joins lines until `maxChars`, then stops at a line boundary (a half line misleads more than a missing one).
 * Returns how many lines made it; the caller's header says what was left out and how to narrow it.
 */
export function capLines(lines: readonly string[], maxChars: number): { text: string; shown: number } {
  let length = 0;
  let shown = 0;
  for (const line of lines) {
    if (shown > 0 && length + line.length + 1 > maxChars) break;
    length += line.length + 1;
    shown++;
  }
  const text = lines.slice(0, shown).join('\n');
  return { text: text.length > maxChars ? `${text.slice(0, maxChars)}…` : text, shown };
}
