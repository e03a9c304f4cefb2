/**
 * Marks the supervisor's health pings (mcp-ping.ts), which the MCP server does not count as activity: the tray
 * pings every 5 s, which would otherwise keep the server from ever being quiet long enough to trim its memory
 * (main/mcp/idle-trim.ts). A module of its own so the server reads it without loading the MCP SDK's client.
 */
export const HEALTH_CHECK_HEADER = 'x-daytona-tray-health-check';
