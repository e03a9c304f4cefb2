import { defineTool } from '../tool-kit.ts';
import { annotations, answer, desktopId, withDesktop } from './computer-use-kit.ts';

export const computerUseStart = defineTool({
  name: 'computer_use_start',
  group: 'computer-use',
  title: 'Start the desktop',
  description:
    'Starts the computer-use desktop in a sandbox (a virtual display and a window manager). Call it before the screenshot, mouse and keyboard tools. While it runs, commands started in the sandbox (execute_command) get DISPLAY set to it, so a GUI program started there appears on the desktop.',
  input: { id: desktopId() },
  annotations: annotations.act('Start the desktop', { idempotent: true }),
  async run(args, { daytona }) {
    const result = await withDesktop(daytona, args.id, 'start the desktop', (cu) => cu.start());
    return answer(`The desktop of sandbox ${args.id} is running. Take a computer_use_screenshot to see it.`, result);
  },
});

export const computerUseStop = defineTool({
  name: 'computer_use_stop',
  group: 'computer-use',
  title: 'Stop the desktop',
  description: 'Stops the computer-use desktop of a sandbox and frees its resources; programs on the display lose it.',
  input: { id: desktopId() },
  annotations: annotations.act('Stop the desktop', { destructive: true, idempotent: true }),
  async run(args, { daytona }) {
    const result = await withDesktop(daytona, args.id, 'stop the desktop', (cu) => cu.stop());
    return answer(`The desktop of sandbox ${args.id} is stopped.`, result);
  },
});

export const computerUseStatus = defineTool({
  name: 'computer_use_status',
  group: 'computer-use',
  title: 'Desktop status',
  description: "Says whether a sandbox's computer-use desktop is running: active, partial (some of its processes) or inactive.",
  input: { id: desktopId() },
  annotations: annotations.read('Desktop status'),
  async run(args, { daytona }) {
    const result = await withDesktop(daytona, args.id, 'read the desktop status', (cu) => cu.getStatus());
    const hint = result.status === 'active' ? '' : ' computer_use_start starts it.';
    return answer(`The desktop of sandbox ${args.id} is ${result.status ?? 'unknown'}.${hint}`, result);
  },
});
