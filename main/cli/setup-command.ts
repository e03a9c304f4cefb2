/** Placeholder until the `setup` command lands; owned by the helper building it. */
export async function run(_argv: string[]): Promise<number> {
  process.stderr.write('daytona-tray setup: not available in this build yet.\n');
  return 1;
}
