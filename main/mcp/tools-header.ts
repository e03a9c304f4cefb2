/**
 * The header a bridge started with `--tools` sends on initialize: the tool groups its client asked for,
 * comma-separated. The server gives that session only those groups (among those it offers).
 */
export const TOOLS_HEADER = 'x-daytona-tray-tools';
