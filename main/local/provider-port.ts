/**
 * The local provider as another program uses it (the MCP server serving the local profile in-process): the
 * only module of main/local that main/mcp may import (the lint floors enforce it). It loads the provider on
 * first start, so a process on a cloud profile never pays for it.
 */
import type { LocalProvider, LocalProviderOptions } from './provider.ts';

export type { LocalProvider, LocalProviderOptions } from './provider.ts';
export { DataDirInUseError } from './sandbox-store.ts';

export async function startLocalProvider(options: LocalProviderOptions): Promise<LocalProvider> {
  const provider = await import('./provider.ts');
  return provider.startLocalProvider(options);
}
