/** Daytona's shapes for LSP answers (@daytona/toolbox-api-client CompletionList, LspSymbol). */
export interface LspPosition {
  line: number;
  character: number;
}
export interface LspRange {
  start: LspPosition;
  end: LspPosition;
}
export interface LspSymbol {
  kind: number;
  name: string;
  location: { uri: string; range: LspRange };
}

interface RawCompletionItem {
  label: string;
  kind?: number;
  detail?: string;
  documentation?: unknown;
  sortText?: string;
  filterText?: string;
  insertText?: string;
}

/** A completion answer (a list or bare items) as the daemon passes it on: only the fields its model has. */
export function completionList(result: unknown): { isIncomplete: boolean; items: RawCompletionItem[] } {
  const list = Array.isArray(result)
    ? { isIncomplete: false, items: result as RawCompletionItem[] }
    : result && typeof result === 'object'
      ? (result as { isIncomplete?: boolean; items?: RawCompletionItem[] })
      : { isIncomplete: false, items: [] };
  return {
    isIncomplete: Boolean(list.isIncomplete),
    items: (list.items ?? []).map((item) => ({
      label: item.label,
      ...(item.kind !== undefined ? { kind: item.kind } : {}),
      ...(item.detail !== undefined ? { detail: item.detail } : {}),
      ...(item.documentation !== undefined ? { documentation: item.documentation } : {}),
      ...(item.sortText !== undefined ? { sortText: item.sortText } : {}),
      ...(item.filterText !== undefined ? { filterText: item.filterText } : {}),
      ...(item.insertText !== undefined ? { insertText: item.insertText } : {}),
    })),
  };
}

interface RawSymbol {
  name: string;
  kind: number;
  location?: { uri: string; range?: LspRange };
  range?: LspRange;
  selectionRange?: LspRange;
  children?: RawSymbol[];
}

/**
 * Symbols as flat LspSymbols: SymbolInformation as it comes; a hierarchical DocumentSymbol (which a server may send
 * anyway) flattened, each located in `uri` by its range.
 */
export function lspSymbols(result: unknown, uri: string): LspSymbol[] {
  const out: LspSymbol[] = [];
  const zero = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const visit = (symbol: RawSymbol) => {
    const location = symbol.location ?? { uri, range: symbol.range ?? zero };
    out.push({ kind: symbol.kind, name: symbol.name, location: { uri: location.uri, range: location.range ?? zero } });
    for (const child of symbol.children ?? []) visit(child);
  };
  for (const symbol of Array.isArray(result) ? (result as RawSymbol[]) : []) visit(symbol);
  return out;
}
