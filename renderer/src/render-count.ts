declare global {
  interface Window {
    /** Set only by a test (test/e2e-web/sandbox-list-renders.spec.ts): renders per component name. */
    __daytonaTrayRenderCounts?: Record<string, number>;
  }
}

/** Counts one render of `name` when a test asked for counts; otherwise a single property read. */
export function countRender(name: string): void {
  const counts = window.__daytonaTrayRenderCounts;
  if (counts) counts[name] = (counts[name] ?? 0) + 1;
}
