// Reads a page's performance mark (and its first contentful paint) for test/bench/*.bench.mjs, event-driven, with
// a few lines evaluated through CDP. Not page.waitForFunction: its first call compiles Playwright's injected script
// on the page's main thread (23 to 35 ms in traces at load 3 to 10), so a page still working toward its mark
// waited behind it while a page that had already set its mark did not, and the slower page was billed for it.

const readMarks = (mark) => `new Promise((resolve) => {
  const read = () => ({
    mark: performance.getEntriesByName(${JSON.stringify(mark)})[0]?.startTime,
    fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
  });
  const check = () => {
    const { mark, fcp } = read();
    if (mark !== undefined && fcp !== undefined) resolve({ mark, fcp });
    else if (mark !== undefined && !giveUp) giveUp = setTimeout(() => resolve({ mark, fcp: null }), 2000);
  };
  let giveUp;
  new PerformanceObserver(check).observe({ type: 'mark', buffered: true });
  new PerformanceObserver(check).observe({ type: 'paint', buffered: true });
})`;

/**
 * Waits until `page` has set `mark`: ms from the page's navigation start to the mark, and to its first
 * contentful paint (NaN when none came within 2 s of the mark).
 */
export async function waitForMark(page, mark) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', {
      expression: readMarks(mark),
      awaitPromise: true,
      returnByValue: true,
    });
    if (exceptionDetails) throw new Error(`reading the marks failed: ${exceptionDetails.text}`);
    return { mark: result.value.mark, fcp: result.value.fcp ?? Number.NaN };
  } finally {
    await cdp.detach().catch(() => {});
  }
}
