/**
 * The one typed contract between the window (renderer) and the main process. Errors cross as values:
 * Electron drops custom error fields across `invoke`, and the window must show what to do next.
 */
export type Result<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string } };
