import { describe, expect, it } from 'vitest';
import { completionList, lspSymbols } from '../../main/local/toolbox/lsp/lsp-results.ts';
import { uriMapping } from '../../main/local/toolbox/lsp/uri-mapping.ts';

const range = (line: number) => ({ start: { line, character: 0 }, end: { line, character: 4 } });

describe('LSP answers in the shapes the SDK reads', () => {
  it('flattens hierarchical document symbols into located ones, children after their parent', () => {
    const symbols = lspSymbols(
      [{ name: 'Greeter', kind: 5, range: range(0), selectionRange: range(0), children: [{ name: 'greet', kind: 6, range: range(1) }] }],
      'file:///home/daytona/a.py',
    );
    expect(symbols).toEqual([
      { name: 'Greeter', kind: 5, location: { uri: 'file:///home/daytona/a.py', range: range(0) } },
      { name: 'greet', kind: 6, location: { uri: 'file:///home/daytona/a.py', range: range(1) } },
    ]);
    // SymbolInformation keeps its own location; no answer is no symbols.
    const located = { name: 'main', kind: 12, location: { uri: 'file:///home/daytona/b.py', range: range(3) } };
    expect(lspSymbols([located], 'file:///ignored')).toEqual([located]);
    expect(lspSymbols(null, 'file:///x')).toEqual([]);
  });

  it('takes a completion list or bare items, keeping only the fields of the model', () => {
    expect(completionList([{ label: 'toUpperCase', kind: 2, data: { internal: true } }])).toEqual({
      isIncomplete: false,
      items: [{ label: 'toUpperCase', kind: 2 }],
    });
    expect(completionList({ isIncomplete: true, items: [{ label: 'x', detail: 'd', insertText: 'x()' }] })).toEqual({
      isIncomplete: true,
      items: [{ label: 'x', detail: 'd', insertText: 'x()' }],
    });
    expect(completionList(null)).toEqual({ isIncomplete: false, items: [] });
  });

  it('translates file URIs between sandbox paths and the host folders behind them', () => {
    const dirs = { home: '/data/sb/home', tmp: '/data/sb/tmp' };
    const mapping = uriMapping((path, d) => (path === '/tmp' ? d.tmp : path.replace('/home/daytona', d.home)), dirs);
    expect(mapping.toServer('/home/daytona/project/a.ts')).toBe('/data/sb/home/project/a.ts');
    expect(mapping.toServer('/tmp/x.py')).toBe('/data/sb/tmp/x.py');
    expect(mapping.toServer('/usr/lib/node.d.ts')).toBe('/usr/lib/node.d.ts');
    expect(mapping.fromServer('file:///data/sb/home/project/a.ts')).toBe('file:///home/daytona/project/a.ts');
    expect(mapping.fromServer('file:///data/sb/homework/a.ts')).toBe('file:///data/sb/homework/a.ts');
  });
});
