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

/** Where a bubblewrap sandbox sees node-pty, which its agent loads to make terminals inside the sandbox. */
export const PTY_MODULE_IN_SANDBOX = `${TOOLS_IN_SANDBOX}/@lydell/node-pty`;

/**
 * node-pty and its prebuilt binary for this platform as [host folder, folder in the sandbox] pairs (read-only
 * mounts), or undefined when either is missing (terminals are then made on the host, as before the agent).
 */
export function ptyPackageMounts(): [string, string][] | undefined {
  try {
    const main = require.resolve('@lydell/node-pty/package.json');
    const binaryName = `@lydell/node-pty-${process.platform}-${process.arch}`;
    const binary = createRequire(main).resolve(`${binaryName}/package.json`);
    const unpacked = (path: string) => dirname(path).replace(/\.asar(?=[/\\])/, '.asar.unpacked');
    return [
      [unpacked(main), PTY_MODULE_IN_SANDBOX],
      [unpacked(binary), `${TOOLS_IN_SANDBOX}/${binaryName}`],
    ];
  } catch {
    return undefined;
  }
}
