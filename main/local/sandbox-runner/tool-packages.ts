import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/** Node packages the toolbox runs inside sandboxes: the language servers behind sandbox.createLspServer(). */
export const TOOL_PACKAGES = ['typescript-language-server', 'typescript', 'pyright'] as const;
export type ToolPackage = (typeof TOOL_PACKAGES)[number];

/** Where a bubblewrap sandbox sees them, read-only (a node_modules folder, so they find each other). */
export const TOOLS_IN_SANDBOX = '/opt/daytona-tray/node_modules';

const require = createRequire(import.meta.url);

/**
 * The host folder of a tool package, or undefined when it is not installed. In the packaged app it is the copy
 * electron-builder unpacks beside app.asar (asarUnpack): a folder inside the archive cannot be mounted.
 */
export function hostToolDir(name: ToolPackage): string | undefined {
  try {
    return dirname(require.resolve(`${name}/package.json`)).replace(/\.asar(?=[/\\])/, '.asar.unpacked');
  } catch {
    return undefined;
  }
}
