import { createParser } from 'eventsource-parser';

/**
 * The data of each event on a text/event-stream answer, parsed by eventsource-parser (the parser the MCP SDK
 * itself uses). The bridge relays only the JSON-RPC messages carried in `data:`; comments, ids and retry hints
 * are dropped. At the end of the stream an event left without its closing blank line is still delivered: a
 * server that ends the answer right after its last message loses nothing.
 */
export function createSseParser(onData: (data: string) => void): { push(chunk: string): void; end(): void } {
  const parser = createParser({ onEvent: (event) => onData(event.data) });
  return {
    push: (chunk) => parser.feed(chunk),
    end() {
      parser.feed('\n\n');
      parser.reset();
    },
  };
}
