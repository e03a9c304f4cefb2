import { describe, expect, it } from 'vitest';
import { createSseParser } from '../../main/mcp/bridge/sse.ts';

function parse(chunks: string[]): string[] {
  const events: string[] = [];
  const parser = createSseParser((data) => events.push(data));
  for (const chunk of chunks) parser.push(chunk);
  parser.end();
  return events;
}

describe('SSE parser (bridge)', () => {
  it('yields the data of each event and skips comments and other fields', () => {
    const stream = ': keepalive\n\nevent: message\nid: 1\ndata: {"a":1}\n\nretry: 10\ndata: {"b":2}\n\n';
    expect(parse([stream])).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('handles events split anywhere across chunks, CRLF and CR line ends included', () => {
    const stream = 'data: {"x":"1"}\r\n\r\ndata: {"y":2}\r\rdata:{"z":3}\n\n';
    const whole = parse([stream]);
    expect(whole).toEqual(['{"x":"1"}', '{"y":2}', '{"z":3}']);
    for (let cut = 1; cut < stream.length; cut++) expect(parse([stream.slice(0, cut), stream.slice(cut)]), `cut at ${cut}`).toEqual(whole);
  });

  it('joins multi-line data and ignores events without data', () => {
    expect(parse(['data: line1\ndata: line2\n\nid: 7\n\n'])).toEqual(['line1\nline2']);
    expect(parse(['data: last without blank line'])).toEqual(['last without blank line']);
  });
});
