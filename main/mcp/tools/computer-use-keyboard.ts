import { z } from 'zod';
import { defineTool } from '../tool-kit.ts';
import { annotations, answer, desktopId, withDesktop } from './computer-use-kit.ts';

export const computerUseKeyboardType = defineTool({
  name: 'computer_use_keyboard_type',
  group: 'computer-use',
  title: 'Type text',
  description: 'Types text into the focused window, as keystrokes (click a window first to focus it).',
  input: {
    id: desktopId(),
    text: z.string().min(1).max(100_000).describe('Text to type.'),
    delay: z.number().int().min(0).max(1000).optional().describe('Milliseconds between keystrokes.'),
  },
  annotations: annotations.act('Type text'),
  async run(args, { daytona }) {
    await withDesktop(daytona, args.id, 'type text', (cu) => cu.keyboard.type(args.text, args.delay));
    // The text itself is not echoed back: it may be a password.
    return answer(`Typed ${args.text.length} characters.`, {});
  },
});

export const computerUseKeyboardPress = defineTool({
  name: 'computer_use_keyboard_press',
  group: 'computer-use',
  title: 'Press a key',
  description: 'Presses one key, optionally with modifiers held (e.g. key "t" with modifiers ["ctrl", "shift"]).',
  input: {
    id: desktopId(),
    key: z.string().min(1).max(64).describe('Key to press, e.g. enter, tab, escape, a, F5.'),
    modifiers: z.array(z.string().min(1).max(16)).max(4).optional().describe('Modifier keys held while pressing: ctrl, alt, shift, cmd.'),
  },
  annotations: annotations.act('Press a key'),
  async run(args, { daytona }) {
    await withDesktop(daytona, args.id, 'press a key', (cu) => cu.keyboard.press(args.key, args.modifiers ?? []));
    return answer(`Pressed ${[...(args.modifiers ?? []), args.key].join('+')}.`, {});
  },
});

export const computerUseKeyboardHotkey = defineTool({
  name: 'computer_use_keyboard_hotkey',
  group: 'computer-use',
  title: 'Press a hotkey',
  description: 'Presses a key combination written with +, e.g. ctrl+c or alt+tab.',
  input: { id: desktopId(), keys: z.string().min(1).max(100).describe('Hotkey combination, e.g. ctrl+c, alt+tab.') },
  annotations: annotations.act('Press a hotkey'),
  async run(args, { daytona }) {
    await withDesktop(daytona, args.id, 'press a hotkey', (cu) => cu.keyboard.hotkey(args.keys));
    return answer(`Pressed ${args.keys}.`, {});
  },
});
