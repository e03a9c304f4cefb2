import { defineTool } from '../tool-kit.ts';
import { annotations, answer, desktopId, withDesktop } from './computer-use-kit.ts';

export const computerUseDisplayInfo = defineTool({
  name: 'computer_use_display_info',
  group: 'computer-use',
  title: 'Display info',
  description: "Returns the desktop's displays: position, size in pixels, and which is active.",
  input: { id: desktopId() },
  annotations: annotations.read('Display info'),
  async run(args, { daytona }) {
    const info = await withDesktop(daytona, args.id, 'read the display info', (cu) => cu.display.getInfo());
    const sizes = (info.displays ?? []).map((display) => `${display.width}x${display.height}`).join(', ');
    return answer(`Displays: ${sizes || 'none'}.`, info);
  },
});

export const computerUseWindows = defineTool({
  name: 'computer_use_windows',
  group: 'computer-use',
  title: 'List windows',
  description: 'Lists the open windows on the desktop: id, title, position, size, and which one has the focus.',
  input: { id: desktopId() },
  annotations: annotations.read('List windows'),
  async run(args, { daytona }) {
    const result = await withDesktop(daytona, args.id, 'list the windows', (cu) => cu.display.getWindows());
    const windows = result.windows ?? [];
    const lines = windows.map(
      (window) =>
        `- ${window.title || '(untitled)'} (id ${window.id}) at (${window.x}, ${window.y}), ${window.width}x${window.height}${window.isActive ? ', focused' : ''}`,
    );
    return {
      text: windows.length > 0 ? `${windows.length} windows:\n${lines.join('\n')}` : 'No windows are open.',
      structured: { windows },
    };
  },
});
