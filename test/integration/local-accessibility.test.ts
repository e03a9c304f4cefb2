import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DaytonaA11yUnavailableError, DaytonaError, type Sandbox } from '@daytonaio/sdk';
import type { ComputerUseAccessibilityNode } from '@daytona/toolbox-api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAccessibilityCommand, missingAccessibilityPackages } from '../../main/local/toolbox/computer-use/accessibility.ts';
import { missingDesktopPackages } from '../../main/local/toolbox/computer-use/desktop.ts';
import { startPlainTestProvider, startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { bubblewrapSkipReason, missingCommandReason, skipWhen } from '../helpers/skip.ts';

const missing = [...missingDesktopPackages(), ...missingAccessibilityPackages()];
const skip =
  (missing.length > 0 ? `the desktop and accessibility packages are not installed (${missing.join(', ')})` : undefined) ??
  missingCommandReason('yad', 'Debian package yad: the GTK dialog these tests drive') ??
  bubblewrapSkipReason();

/** Every node of a tree, depth first. */
function flatten(node: ComputerUseAccessibilityNode | undefined): ComputerUseAccessibilityNode[] {
  return node ? [node, ...(node.children ?? []).flatMap(flatten)] : [];
}

/** Host paths of the files under `dir` (at any depth) whose path matches `pattern`. */
function findFiles(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((entry) => pattern.test(entry))
    .map((entry) => join(dir, entry));
}

// One desktop per sandbox for the whole file: the cases run in order on them.
describe('accessibility (AT-SPI) on the local provider, through the unmodified SDK', skipWhen(skip, 'desktop'), () => {
  let t: TestProvider;
  let sandbox: Sandbox;
  let other: Sandbox;

  const read = async (box: Sandbox, path: string) => (await box.process.executeCommand(`cat ${path} 2>/dev/null`)).result;
  const buttonNamed = async (name: string) =>
    (await sandbox.computerUse.accessibility.findNodes({ scope: 'all', role: 'push button', name, nameMatch: 'exact' })).matches ?? [];

  beforeAll(async () => {
    t = await startTestProvider();
    [sandbox, other] = await Promise.all([t.daytona.create({ name: 'a11y' }), t.daytona.create({ name: 'a11y-other' })]);
    await Promise.all([sandbox.computerUse.start(), other.computerUse.start()]);
    await sandbox.process.createSession('gui');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("a GTK dialog started by a command appears in the tree with its buttons' names, roles, bounds and actions", async () => {
    // Started as an agent would: a command in the sandbox, which finds DISPLAY and the desktop's session bus set.
    expect((await sandbox.process.executeCommand('echo "$DBUS_SESSION_BUS_ADDRESS"')).result).toMatch(/^unix:path=\/tmp\//);
    await sandbox.process.executeSessionCommand('gui', {
      command: `(yad --title 'Tray check' --text 'Pick one' --button 'Keep:3' --button 'Discard:7' >/dev/null 2>&1; echo "exit=$?" > /tmp/yad-result) &`,
      runAsync: true,
    });
    await expect.poll(async () => (await buttonNamed('Discard')).length, { timeout: 20_000 }).toBe(1);

    const tree = await sandbox.computerUse.accessibility.getTree({ scope: 'all' });
    expect(tree.truncated).toBe(false);
    expect(tree.root).toMatchObject({ role: 'desktop frame' });
    const nodes = flatten(tree.root);
    expect(nodes).toContainEqual(expect.objectContaining({ role: 'application', name: 'yad' }));
    expect(nodes).toContainEqual(expect.objectContaining({ role: 'frame', name: 'Tray check' }));
    const discard = nodes.find((node) => node.role === 'push button' && node.name === 'Discard')!;
    expect(discard.id).toMatch(/^:\d+\.\d+:\/org\/a11y\/atspi\/accessible\/\d+$/);
    expect(discard.states).toEqual(expect.arrayContaining(['enabled', 'focusable', 'showing', 'visible']));
    expect(discard.actions?.map((action) => action.toLowerCase())).toContain('click');
    // On the 1024x768 screen, with a size.
    expect(discard.bounds!.width).toBeGreaterThan(0);
    expect(discard.bounds!.x! + discard.bounds!.width!).toBeLessThanOrEqual(1024);

    // The focused scope is the dialog's application; maxDepth 0 is the root alone.
    expect((await sandbox.computerUse.accessibility.getTree()).root).toMatchObject({ role: 'application', name: 'yad' });
    expect((await sandbox.computerUse.accessibility.getTree({ scope: 'all', maxDepth: 0 })).root?.children).toBeUndefined();
  });

  it('invoking the button clicks it: the dialog ends with that button’s answer', async () => {
    const [discard] = await buttonNamed('Discard');
    await sandbox.computerUse.accessibility.invokeNode(discard!.id!, 'click');
    await expect.poll(() => read(sandbox, '/tmp/yad-result'), { timeout: 15_000 }).toBe('exit=7\n');
    await expect.poll(async () => (await buttonNamed('Discard')).length, { timeout: 15_000 }).toBe(0);
  });

  it("setting a text field's value and focusing it: the dialog answers the text that was set", async () => {
    await sandbox.process.executeSessionCommand('gui', {
      command: `yad --entry --title 'Name entry' --text 'Your name' --button 'OK:0' > /tmp/entry-out 2>/dev/null &`,
      runAsync: true,
    });
    const field = async () =>
      (await sandbox.computerUse.accessibility.findNodes({ scope: 'all', role: 'text', states: ['editable'] })).matches ?? [];
    await expect.poll(async () => (await field()).length, { timeout: 20_000 }).toBe(1);
    const [entry] = await field();
    await sandbox.computerUse.accessibility.setNodeValue(entry!.id!, 'typed through AT-SPI');
    await sandbox.computerUse.accessibility.focusNode(entry!.id!);
    expect((await sandbox.computerUse.accessibility.findNodes({ scope: 'all', role: 'text', states: ['focused'] })).matches).toHaveLength(
      1,
    );
    const [ok] = await buttonNamed('OK');
    // No action named: the node's first (its click), as on Daytona.
    await sandbox.computerUse.accessibility.invokeNode(ok!.id!);
    await expect.poll(() => read(sandbox, '/tmp/entry-out'), { timeout: 15_000 }).toBe('typed through AT-SPI\n');
  });

  it("errors have Daytona's codes: a node that is gone, an unknown scope, an action the node lacks", async () => {
    const gone = await sandbox.computerUse.accessibility.focusNode(':1.999:/org/a11y/atspi/accessible/1').catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(DaytonaError);
    expect(gone).toMatchObject({ statusCode: 404, code: 'A11Y_NODE_NOT_FOUND' });
    const scope = await sandbox.computerUse.accessibility.getTree({ scope: 'everything' }).catch((e: unknown) => e);
    expect(scope).toMatchObject({ statusCode: 400, code: 'A11Y_INVALID_SCOPE' });
    const badId = await sandbox.computerUse.accessibility.invokeNode('not-a-node').catch((e: unknown) => e);
    expect(badId).toMatchObject({ statusCode: 400, code: 'A11Y_INVALID_REQUEST' });
    const root = (await sandbox.computerUse.accessibility.getTree({ scope: 'all', maxDepth: 0 })).root!;
    const noAction = await sandbox.computerUse.accessibility.invokeNode(root.id!, 'click').catch((e: unknown) => e);
    expect(noAction).toMatchObject({ statusCode: 400, code: 'A11Y_ACTION_NOT_SUPPORTED' });
  });

  it("isolation: another sandbox's AT-SPI bus is its own, and this sandbox's buses are out of its reach", async () => {
    await sandbox.process.executeSessionCommand('gui', {
      command: `yad --title 'Only in A' --button 'Mine:0' >/dev/null 2>&1 &`,
      runAsync: true,
    });
    await expect.poll(async () => (await buttonNamed('Mine')).length, { timeout: 20_000 }).toBe(1);
    // The other sandbox's tree is its desktop alone: no application of this one.
    const theirs = flatten((await other.computerUse.accessibility.getTree({ scope: 'all' })).root);
    expect(theirs.map((node) => node.role)).toEqual(['desktop frame']);
    // This sandbox's bus sockets are files in its own /tmp; from the other sandbox, neither their host paths nor
    // its own /tmp/.daytona-a11y lead to them: a connection to each path it can name reaches its own bus or nothing.
    // The session bus (bus) and the accessibility bus (at-spi/bus_N).
    const mine = findFiles(t.dataDir, /\.daytona-a11y\/(bus|at-spi\/bus_\d+)$/).filter((path) => path.includes(sandbox.id));
    expect(mine).toHaveLength(2);
    const connect = (path: string) =>
      other.process.executeCommand(
        `python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])" '${path}' 2>/dev/null && echo reachable || echo unreachable`,
      );
    // The probe reaches a bus it may reach (the other sandbox's own), so its 'unreachable' means something.
    expect((await connect('/tmp/.daytona-a11y/bus')).result).toBe('reachable\n');
    for (const path of mine) expect((await connect(path)).result).toBe('unreachable\n');
  });

  it('stop ends the buses: accessibility answers A11Y_UNAVAILABLE saying to start the desktop, and commands lose the bus', async () => {
    await other.computerUse.stop();
    const error = await other.computerUse.accessibility.getTree().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DaytonaA11yUnavailableError);
    expect((error as Error).message).toMatch(/desktop is not running.*computer_use_start/);
    expect((await other.process.executeCommand('echo "[$DBUS_SESSION_BUS_ADDRESS]"')).result).toBe('[]\n');
    expect((await other.process.executeCommand('pgrep -c -f "at-spi|dbus-daemon" || true')).result.trim()).toBe('0');
  });
});

describe(
  'accessibility where at-spi2-core is missing',
  skipWhen(missing.length > 0 ? 'the desktop packages are not installed' : bubblewrapSkipReason(), 'desktop'),
  () => {
    let t: TestProvider;

    beforeAll(async () => {
      // The provider looks for programs through this finder: here it finds everything but at-spi2-core's launcher.
      t = await startTestProvider({
        findDesktopUtility: (command) => (command === 'at-spi-bus-launcher' ? undefined : findAccessibilityCommand(command)),
      });
    });
    afterAll(async () => {
      await t?.stop();
    });

    it("the desktop still runs, and accessibility answers Daytona's A11Y_UNAVAILABLE naming the package to install", async () => {
      const sandbox = await t.daytona.create({ name: 'no-atspi' });
      await sandbox.computerUse.start();
      expect((await sandbox.computerUse.getStatus()).status).toBe('active');
      const error = await sandbox.computerUse.accessibility.findNodes({ scope: 'all', role: 'push button' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DaytonaA11yUnavailableError);
      expect((error as Error).message).toMatch(/needs at-spi2-core.*sudo apt-get install at-spi2-core.*computer_use_screenshot/);
      // No session bus either: commands get DISPLAY only.
      expect((await sandbox.process.executeCommand('echo "[$DBUS_SESSION_BUS_ADDRESS]"')).result).toBe('[]\n');
    });
  },
);

describe('an unisolated sandbox (no bubblewrap): its buses live in the host /tmp', skipWhen(skip, 'desktop'), () => {
  it('they serve its accessibility tree, and their directory goes when the sandbox is deleted', async () => {
    const t = await startPlainTestProvider();
    try {
      const sandbox = await t.daytona.create({ name: 'plain-a11y' });
      await sandbox.computerUse.start();
      const dir = `/tmp/.daytona-a11y-${sandbox.id}`;
      expect((await sandbox.process.executeCommand('echo "$DBUS_SESSION_BUS_ADDRESS"')).result).toBe(`unix:path=${dir}/bus\n`);
      await sandbox.process.executeCommand(`yad --title plain-a11y --button 'Plain:0' >/dev/null 2>&1 &`);
      const plain = async () =>
        (await sandbox.computerUse.accessibility.findNodes({ scope: 'all', role: 'push button', name: 'Plain' })).matches ?? [];
      await expect.poll(async () => (await plain()).length, { timeout: 20_000 }).toBe(1);
      expect(existsSync(dir)).toBe(true);
      await sandbox.delete();
      await expect.poll(() => existsSync(dir), { timeout: 10_000 }).toBe(false);
    } finally {
      await t.stop();
    }
  });
});
