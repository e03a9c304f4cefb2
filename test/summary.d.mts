// Types for test/summary.mjs (plain JavaScript so `npm test` runs on any supported Node without a build).
export interface Part {
  label: string;
  passed: number;
  failed: number;
  skipped: number;
  /** Each skip reason with how many tests it skipped. */
  skipReasons: Map<string, number>;
  failures: string[];
  /** Skips that counted as failures because CI provides what they lacked. */
  ciFailed: number;
}
export const NO_REASON: string;
export function countVitest(report: unknown, options?: { ci?: boolean; root?: string }): Part;
export function countPlaywright(label: string, report: unknown, exitStatus: number, options?: { ci?: boolean }): Part;
export function missingReport(label: string, exitStatus: number): Part;
export function formatSummary(parts: Part[]): { lines: string[]; total: { passed: number; failed: number; skipped: number } };
export function countWorkflowLint(label: string, results: { file: string; problems: string[] }[]): Part;
