import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingAccessibilityPackages } from '../../main/local/toolbox/computer-use/accessibility.ts';
import { missingDesktopPackages } from '../../main/local/toolbox/computer-use/desktop.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import {
  ChildStdioTransport,
  cleanEnv,
  connectClient,
  spawnCli,
  startHttpChild,
  textOf,
  type CliChild,
  type RuntimeInfo,
} from '../helpers/mcp-harness.ts';
import { bubblewrapSkipReason, missingCommandReason, skipNow, skipWhen } from '../helpers/skip.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const missing = missingDesktopPackages();
const missingA11y = missingAccessibilityPackages();
const noA11y =
  (missingA11y.length > 0 ? `the accessibility packages are not installed (${missingA11y.join(', ')})` : undefined) ??
  missingCommandReason('yad', 'Debian package yad: the GTK dialog the accessibility case drives');
const skip = (missing.length > 0 ? `the desktop packages are not installed (${missing.join(', ')})` : undefined) ?? bubblewrapSkipReason();

interface Block {
  type: string;
  text?: string;
  data?: string;
  mimeType?: string;
}

// The computer-use tools as an AI client calls them: through the stdio bridge, the HTTP server and the SDK,
// against the local provider. One desktop, larger than the image limit's longest side, serves every case.
describe('computer_use_* tools over the bridge', skipWhen(skip, 'desktop'), () => {
  let provider: TestProvider;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: { cli: CliChild; info: RuntimeInfo };
  let bridge: CliChild;
  let client: Client;
  let id = '';

  const call = async (name: string, args: Record<string, unknown>) => {
    const result = (await client.callTool({ name, arguments: { id, ...args } })) as {
      content: Block[];
      isError?: boolean;
      structuredContent?: Record<string, unknown>;
    };
    return { ...result, text: textOf(result) };
  };
  const ok = async (name: string, args: Record<string, unknown> = {}) => {
    const result = await call(name, args);
    expect(result.isError, `${name}: ${result.text}`).toBeFalsy();
    return result;
  };
  /** The image block: its mime type, and what an independent decoder reads from its base64. */
  const imageOf = async (result: { content: Block[] }) => {
    const image = result.content.find((block) => block.type === 'image')!;
    expect(image, 'an image content block').toBeDefined();
    const meta = await sharp(Buffer.from(image.data!, 'base64')).metadata();
    return { mimeType: image.mimeType, format: meta.format, width: meta.width, height: meta.height };
  };

  beforeAll(async () => {
    provider = await startTestProvider();
    dir = await tempDir('daytona-tray-mcp-desktop-');
    const env = cleanEnv({
      DAYTONA_API_URL: provider.provider.apiUrl,
      DAYTONA_API_KEY: provider.provider.apiKey,
      DAYTONA_TRAY_HOME: dir.path,
      HOME: dir.path,
    });
    server = await startHttpChild(env, dir.path, dir.path);
    bridge = spawnCli(['bridge'], cleanEnv({ DAYTONA_TRAY_HOME: dir.path }), dir.path);
    client = await connectClient(new ChildStdioTransport(bridge));
    const created = await client.callTool({
      name: 'create_sandbox',
      arguments: { name: 'mcp-desktop', env: { VNC_RESOLUTION: '1800x1200' } },
    });
    id = (created as unknown as { structuredContent: { id: string } }).structuredContent.id;
  });
  afterAll(async () => {
    await client?.close().catch(() => {});
    await bridge?.kill();
    await server?.cli.kill();
    await provider?.stop();
    await dir?.cleanup();
  });

  it('computer_use_start starts the desktop; computer_use_status says active', async () => {
    expect((await ok('computer_use_start')).text).toContain(`The desktop of sandbox ${id} is running`);
    expect((await ok('computer_use_status')).structuredContent).toEqual({ status: 'active' });
    expect((await ok('computer_use_display_info')).text).toContain('Displays: 1800x1200.');
  });

  it('a screenshot over the limit comes back as a scaled JPEG image block, and the text says so and how to map coordinates', async () => {
    await ok('computer_use_mouse_move', { x: 900, y: 600 });
    const shot = await ok('computer_use_screenshot');
    const image = await imageOf(shot);
    expect(image).toMatchObject({ mimeType: 'image/jpeg', format: 'jpeg' });
    expect(Math.max(image.width!, image.height!)).toBeLessThanOrEqual(1568);
    expect(image.width! / image.height!).toBeCloseTo(1.5, 1);
    expect(shot.text).toMatch(/The PNG was 1800x1200 .* over the 1\.0 MiB \/ 1568 px limit .* this is a JPEG/);
    expect(shot.text).toMatch(/cursor at \(900, 600\)/);
    expect(shot.text).toMatch(/dividing its coordinates by 0\.87\d* gives screen coordinates/);
  });

  it('a region within the limit is the PNG asked for; a compressed screenshot honours format and scale', async () => {
    const region = await ok('computer_use_screenshot_region', { x: 100, y: 50, width: 300, height: 200 });
    expect(await imageOf(region)).toEqual({ mimeType: 'image/png', format: 'png', width: 300, height: 200 });
    expect(region.text).toMatch(/^Screenshot of region 300x200 at \(100, 50\): 300x200 PNG/);
    const half = await ok('computer_use_screenshot_compressed', { format: 'jpeg', quality: 70, scale: 0.5 });
    expect(await imageOf(half)).toEqual({ mimeType: 'image/jpeg', format: 'jpeg', width: 900, height: 600 });
    expect(half.text).toContain('dividing its coordinates by 0.5 gives screen coordinates');
    const part = await ok('computer_use_screenshot_compressed_region', { x: 0, y: 0, width: 400, height: 400, format: 'png', scale: 0.5 });
    expect(await imageOf(part)).toEqual({ mimeType: 'image/png', format: 'png', width: 200, height: 200 });
  });

  it('mouse, keyboard and windows tools act on the desktop', async () => {
    expect((await ok('computer_use_mouse_move', { x: 10, y: 20 })).structuredContent).toEqual({ x: 10, y: 20 });
    expect((await ok('computer_use_mouse_position')).text).toBe('The cursor is at (10, 20).\n{"x":10,"y":20}');
    // A GUI program started the way an agent would, finding DISPLAY set in the sandbox.
    await ok('execute_command', { command: 'xterm -T mcp-term -geometry 40x8+50+50', background: true });
    await expect
      .poll(async () => (await ok('computer_use_windows')).text, { timeout: 15_000 })
      .toMatch(/- mcp-term \(id \d+\) at .*focused/);
    const typed = await ok('computer_use_keyboard_type', { text: 'secret-ish text' });
    expect(typed.text).toContain('Typed 15 characters.');
    expect(typed.text).not.toContain('secret-ish');
    await ok('computer_use_keyboard_hotkey', { keys: 'ctrl+u' });
    await ok('computer_use_keyboard_press', { key: 'enter' });
  });

  it('accessibility tools: a GTK dialog is found by role and name, its text field set, focused, and its button invoked', async (ctx) => {
    if (noA11y) skipNow(ctx, noA11y, 'desktop');
    await ok('execute_command', {
      command: `yad --entry --title mcp-a11y --text 'Your name' --button 'Send:6' > /tmp/mcp-entry 2>/dev/null; echo "exit=$?" >> /tmp/mcp-entry`,
      background: true,
    });
    const find = (args: Record<string, unknown>) =>
      ok('computer_use_accessibility_find', { scope: 'all', ...args }).then(
        (result) => (result.structuredContent as { matches?: { id: string; name: string; role: string }[] }).matches ?? [],
      );
    await expect
      .poll(async () => (await find({ role: 'push button', name: 'Send', name_match: 'exact' })).length, { timeout: 20_000 })
      .toBe(1);
    const tree = await ok('computer_use_accessibility_tree', { scope: 'all', max_depth: 3 });
    expect(tree.text).toMatch(/^Accessibility tree:\n/);
    expect(JSON.stringify(tree.structuredContent)).toContain('"name":"mcp-a11y"');
    const [field] = await find({ role: 'text', states: ['editable'] });
    expect((await ok('computer_use_accessibility_set_value', { node_id: field!.id, value: 'set over MCP' })).text).toContain(
      'Set the value',
    );
    await ok('computer_use_accessibility_focus', { node_id: field!.id });
    const [send] = await find({ role: 'push button', name: 'Send', name_match: 'exact' });
    expect((await ok('computer_use_accessibility_invoke', { node_id: send!.id })).text).toBe(`Invoked click on ${send!.id}.\n{}`);
    await expect
      .poll(async () => (await ok('execute_command', { command: 'cat /tmp/mcp-entry' })).text, { timeout: 15_000 })
      .toContain('set over MCP\nexit=6');
    const gone = await call('computer_use_accessibility_invoke', { node_id: send!.id });
    expect(gone.isError).toBe(true);
    expect(gone.text).toMatch(/accessibility node not found/);
  });

  it('computer_use_stop stops it; a screenshot then says to start the desktop', async () => {
    await ok('computer_use_stop');
    expect((await ok('computer_use_status')).text).toContain('is inactive. computer_use_start starts it.');
    const after = await call('computer_use_screenshot', {});
    expect(after.isError).toBe(true);
    expect(after.text).toMatch(/desktop is not running.*computer_use_start/);
  });
});
