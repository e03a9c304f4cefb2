// Shared helpers for test/bench/*.bench.mjs: timing loops, percentiles and a plain-text table.
// Benchmarks print figures measured side by side in one run; they never assert timings.

/** Nearest-rank percentile of an ascending array (p in 0..100). */
export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** p50/p95/min/mean of samples in milliseconds. */
export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    n: sorted.length,
    min: sorted[0] ?? Number.NaN,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    mean: sorted.length ? sum / sorted.length : Number.NaN,
  };
}

/** Rejects with a message naming `label` when `promise` takes longer than `ms`: a benchmark fails, never hangs. */
export function withTimeout(promise, ms, label) {
  let timer;
  const timeout = new Promise((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${label} took longer than ${ms / 1000} s: the provider looks stuck, so the benchmark stops here.`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs `fn` `warmup` times unmeasured, then `iterations` times measured, one after the other.
 * `fn(i)` may return a function; that one runs untimed after the sample (cleanup, e.g. deleting a sandbox).
 * Each call gets `timeoutMs`. Returns the summary of the measured samples, in milliseconds.
 */
export async function measure(fn, { warmup = 5, iterations = 50, timeoutMs = 30_000 } = {}) {
  const samples = [];
  for (let i = 0; i < warmup + iterations; i++) {
    const start = performance.now();
    const after = await withTimeout(fn(i), timeoutMs, `round ${i}`);
    const elapsed = performance.now() - start;
    if (i >= warmup) samples.push(elapsed);
    if (typeof after === 'function') await withTimeout(after(), timeoutMs, `clean-up after round ${i}`);
  }
  return summarize(samples);
}

/**
 * Measures several cases side by side: each round runs every case once, so all of them see the same
 * machine load (a busy box drifts; interleaving keeps their ratios honest). The order is shuffled every
 * round, so the garbage one case leaves (a 1 MiB download) is collected during random others rather than
 * always billed to the case after it. `cases` maps a name to `fn(i)` as in `measure`.
 * Returns a Map of name -> summary, in the order the cases were given.
 */
export async function measureSideBySide(cases, { warmup = 5, iterations = 50, timeoutMs = 30_000 } = {}) {
  const samples = new Map(Object.keys(cases).map((name) => [name, []]));
  const order = Object.entries(cases);
  for (let i = 0; i < warmup + iterations; i++) {
    shuffle(order);
    for (const [name, fn] of order) {
      const start = performance.now();
      const after = await withTimeout(fn(i), timeoutMs, `${name} (round ${i})`);
      const elapsed = performance.now() - start;
      if (i >= warmup) samples.get(name).push(elapsed);
      if (typeof after === 'function') await withTimeout(after(), timeoutMs, `clean-up after ${name} (round ${i})`);
    }
  }
  return new Map([...samples].map(([name, values]) => [name, summarize(values)]));
}

/** Fisher-Yates, in place. */
function shuffle(items) {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** Formats milliseconds for a table cell: 3 significant figures, never scientific. */
export function ms(value) {
  if (value === undefined || Number.isNaN(value)) return '-';
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** `a / b` as `4.2x`, or `-` when either side is missing. */
export function ratio(a, b) {
  if (!a || !b || Number.isNaN(a) || Number.isNaN(b)) return '-';
  return `${(a / b).toFixed(1)}x`;
}

/** Prints rows (arrays of cells) under a header, columns padded to fit; numbers right-aligned. */
export function printTable(header, rows, out = console.log) {
  const widths = header.map((cell, col) => Math.max(String(cell).length, ...rows.map((row) => String(row[col] ?? '').length)));
  const line = (row) =>
    row
      .map((cell, col) => {
        const text = String(cell ?? '');
        return /^[-+]?[\d.]+(x|%| ms)?$|^-$/.test(text) ? text.padStart(widths[col]) : text.padEnd(widths[col]);
      })
      .join('  ')
      .trimEnd();
  out(line(header));
  out(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) out(line(row));
}

/** A one-line note about the machine, so figures are read against how busy it was. */
export async function machineNote() {
  const os = await import('node:os');
  const load = os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  return `node ${process.version}, ${os.cpus().length} CPU (${os.cpus()[0]?.model.trim() ?? 'unknown'}), load average ${load}`;
}
