// Types for test/lint-workflows.mjs.
export function lintWorkflows(dir?: string): Promise<{ file: string; problems: string[] }[]>;
