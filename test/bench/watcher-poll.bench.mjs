// Benchmark: one watcher poll (`GET /sandbox`, every page, parsed into WatchedSandbox) over loopback HTTP,
// three ways side by side in one run:
//   tray client  the tray's Daytona client (main/core/daytona-api: the SDK's generated REST client on axios)
//   fetch        the same listing over Node's fetch (main/core/http/request-json.ts): how the tray polled before
//   SDK list()   `new Daytona({ useDeprecatedPolling: true }).list()`: the SDK's own iterator, which builds a
//                Sandbox object (and an axios instance) per item
// for 20 sandboxes (one page) and 1,000 (five pages of 200). The server runs in this process and answers from
// prepared JSON, so the figures are the client's cost plus loopback I/O. It prints figures; it asserts nothing.
import { createServer } from 'node:http';
import { URL, URLSearchParams } from 'node:url';
import { Daytona } from '@daytonaio/sdk';
import { createDaytonaApi } from '../../out/main/core/daytona-api/daytona-api.js';
import { requestJson } from '../../out/main/core/http/request-json.js';
import { listAllSandboxes, PAGE_LIMIT } from '../../out/main/core/watcher/list-sandboxes.js';
import { parseSandbox } from '../../out/main/core/watcher/watched-sandbox.js';
import { machineNote, measureSideBySide, ms, printTable } from './lib/stats.mjs';

const ROUNDS = Number(process.env.BENCH_WATCHER_POLL_ROUNDS ?? 100);
const SIZES = [20, 1_000];
const KEY = 'bench-key';

/** A list item as Daytona sends it (docs/daytona-api.md §4). */
function dto(i) {
  return {
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    organizationId: 'org-bench',
    name: `sandbox-${i}`,
    user: 'daytona',
    labels: { 'code-toolbox-language': 'python' },
    public: false,
    networkBlockAll: false,
    target: 'us',
    cpu: 1,
    gpu: 0,
    memory: 1,
    disk: 3,
    state: i % 3 === 0 ? 'stopped' : 'started',
    desiredState: i % 3 === 0 ? 'stopped' : 'started',
    autoStopInterval: 15,
    autoArchiveInterval: 10_080,
    autoDeleteInterval: -1,
    createdAt: '2026-03-01T00:00:00.000Z',
    updatedAt: '2026-03-01T00:00:00.000Z',
    lastActivityAt: '2026-03-01T00:00:00.000Z',
    sandboxClass: 'container',
    toolboxProxyUrl: 'http://127.0.0.1:9/toolbox',
  };
}

// Pages per organization size, keyed by cursor, serialized once.
const pages = new Map(
  SIZES.map((n) => {
    const items = Array.from({ length: n }, (_, i) => dto(i));
    const byCursor = new Map();
    for (let start = 0; start < n; start += PAGE_LIMIT) {
      const next = start + PAGE_LIMIT < n ? `c${start + PAGE_LIMIT}` : null;
      byCursor.set(start === 0 ? '' : `c${start}`, JSON.stringify({ items: items.slice(start, start + PAGE_LIMIT), nextCursor: next }));
    }
    return [n, byCursor];
  }),
);

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const match = /^\/(\d+)\/api\/sandbox$/.exec(url.pathname);
  const body =
    match && req.headers.authorization === `Bearer ${KEY}`
      ? pages.get(Number(match[1]))?.get(url.searchParams.get('cursor') ?? '')
      : undefined;
  if (!body) {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"statusCode":404,"message":"no such page"}');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(body);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

/** The listing as the tray did it before this client: fetch, page by page. */
async function listWithFetch(apiUrl) {
  const sandboxes = [];
  let cursor;
  do {
    const query = new URLSearchParams({ limit: String(PAGE_LIMIT), ...(cursor ? { cursor } : {}) });
    const page = await requestJson(`${apiUrl}/sandbox?${query}`, {
      headers: { authorization: `Bearer ${KEY}`, 'x-daytona-source': 'daytona-tray' },
    });
    for (const item of page.items) {
      const sandbox = parseSandbox(item);
      if (sandbox) sandboxes.push(sandbox);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return sandboxes;
}

const clients = [];
const cases = {};
let sink = 0;
for (const n of SIZES) {
  const apiUrl = `${origin}/${n}/api`;
  const api = createDaytonaApi({ apiUrl, credentials: () => ({ token: KEY }) });
  const daytona = new Daytona({ apiKey: KEY, apiUrl, target: 'us', useDeprecatedPolling: true });
  clients.push(api, daytona);
  cases[`tray client|${n}`] = async () => {
    sink += (await listAllSandboxes(api)).length;
  };
  cases[`fetch|${n}`] = async () => {
    sink += (await listWithFetch(apiUrl)).length;
  };
  cases[`SDK list()|${n}`] = async () => {
    const sandboxes = [];
    for await (const sandbox of daytona.list({ limit: PAGE_LIMIT })) {
      const parsed = parseSandbox(sandbox);
      if (parsed) sandboxes.push(parsed);
    }
    sink += sandboxes.length;
  };
}

console.log(await machineNote());
console.log(`rounds: ${ROUNDS} per case (after 10 warm-up rounds), all cases interleaved; server in this process\n`);
try {
  // Each case must see every sandbox, or the comparison means nothing.
  for (const [name, run] of Object.entries(cases)) {
    const before = sink;
    await run();
    const expected = Number(name.split('|')[1]);
    if (sink - before !== expected) throw new Error(`${name} listed ${sink - before} sandboxes, not ${expected}`);
  }
  const results = await measureSideBySide(cases, { warmup: 10, iterations: ROUNDS });
  const rows = [];
  for (const n of SIZES) {
    const base = results.get(`tray client|${n}`).p50;
    for (const name of ['tray client', 'fetch', 'SDK list()']) {
      const r = results.get(`${name}|${n}`);
      rows.push([name, n.toLocaleString('en-US'), ms(r.p50), ms(r.p95), ms(r.min), `${(r.p50 / base).toFixed(2)}x`]);
    }
  }
  printTable(['case', 'sandboxes', 'p50 ms', 'p95 ms', 'min ms', 'p50 vs tray client'], rows);
} finally {
  for (const client of clients) {
    if (typeof client.close === 'function') client.close();
    else await client[Symbol.asyncDispose]();
  }
  server.closeAllConnections();
  server.close();
}
