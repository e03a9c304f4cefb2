import { z } from 'zod';
import { defineTool } from '../tool-kit.ts';
import { annotations, answer, coordinate, desktopId, withDesktop } from './computer-use-kit.ts';

const button = () => z.enum(['left', 'right', 'middle']).default('left').describe('Mouse button: left, right or middle (default left).');

export const computerUseMousePosition = defineTool({
  name: 'computer_use_mouse_position',
  group: 'computer-use',
  title: 'Mouse position',
  description: 'Returns where the mouse cursor is on the desktop, in screen pixels from the top-left corner.',
  input: { id: desktopId() },
  annotations: annotations.read('Mouse position'),
  async run(args, { daytona }) {
    const position = await withDesktop(daytona, args.id, 'read the mouse position', (cu) => cu.mouse.getPosition());
    return answer(`The cursor is at (${position.x}, ${position.y}).`, position);
  },
});

export const computerUseMouseMove = defineTool({
  name: 'computer_use_mouse_move',
  group: 'computer-use',
  title: 'Move the mouse',
  description: 'Moves the mouse cursor to screen coordinates (pixels from the top-left corner).',
  input: { id: desktopId(), x: coordinate('Target x coordinate.'), y: coordinate('Target y coordinate.') },
  annotations: annotations.act('Move the mouse', { idempotent: true }),
  async run(args, { daytona }) {
    const position = await withDesktop(daytona, args.id, 'move the mouse', (cu) => cu.mouse.move(args.x, args.y));
    return answer(`The cursor is at (${position.x}, ${position.y}).`, position);
  },
});

export const computerUseMouseClick = defineTool({
  name: 'computer_use_mouse_click',
  group: 'computer-use',
  title: 'Click',
  description: 'Clicks at screen coordinates (moving the cursor there first); a click on a window also focuses it.',
  input: {
    id: desktopId(),
    x: coordinate('X coordinate.'),
    y: coordinate('Y coordinate.'),
    button: button(),
    double: z.boolean().default(false).describe('Double-click instead of a single click.'),
  },
  annotations: annotations.act('Click'),
  async run(args, { daytona }) {
    const result = await withDesktop(daytona, args.id, 'click', (cu) => cu.mouse.click(args.x, args.y, args.button, args.double));
    return answer(`${args.double ? 'Double-clicked' : 'Clicked'} ${args.button} at (${args.x}, ${args.y}).`, result);
  },
});

export const computerUseMouseDrag = defineTool({
  name: 'computer_use_mouse_drag',
  group: 'computer-use',
  title: 'Drag',
  description: 'Presses a mouse button at the start point, moves to the end point and releases it there.',
  input: {
    id: desktopId(),
    start_x: coordinate('Start x coordinate.'),
    start_y: coordinate('Start y coordinate.'),
    end_x: coordinate('End x coordinate.'),
    end_y: coordinate('End y coordinate.'),
    button: button(),
  },
  annotations: annotations.act('Drag'),
  async run(args, { daytona }) {
    const result = await withDesktop(daytona, args.id, 'drag', (cu) =>
      cu.mouse.drag(args.start_x, args.start_y, args.end_x, args.end_y, args.button),
    );
    return answer(`Dragged from (${args.start_x}, ${args.start_y}) to (${args.end_x}, ${args.end_y}).`, result);
  },
});

export const computerUseMouseScroll = defineTool({
  name: 'computer_use_mouse_scroll',
  group: 'computer-use',
  title: 'Scroll',
  description: 'Turns the mouse wheel at screen coordinates, up or down, by a number of steps.',
  input: {
    id: desktopId(),
    x: coordinate('X coordinate.'),
    y: coordinate('Y coordinate.'),
    direction: z.enum(['up', 'down']).describe('Scroll direction: up or down.'),
    amount: z.number().int().min(1).max(100).default(3).describe('Wheel steps (default 3).'),
  },
  annotations: annotations.act('Scroll'),
  async run(args, { daytona }) {
    const success = await withDesktop(daytona, args.id, 'scroll', (cu) => cu.mouse.scroll(args.x, args.y, args.direction, args.amount));
    return answer(`Scrolled ${args.direction} ${args.amount} steps at (${args.x}, ${args.y}).`, { success });
  },
});
