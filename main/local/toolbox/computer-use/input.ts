import { ApiError, badRequest } from '../../errors.ts';
import type { Desktop } from './desktop.ts';

/** Runs xdotool on the desktop; a failure becomes an error that carries xdotool's own words. */
export async function xdotool(desktop: Desktop, args: string[], stdin?: string): Promise<string> {
  const result = await desktop.run(['xdotool', ...args], stdin);
  if (result.exitCode !== 0)
    throw new ApiError(500, `xdotool ${args[0]} failed: ${result.stderr.trim().slice(0, 500) || `exit code ${result.exitCode}`}`);
  return result.stdout;
}

export async function mousePosition(desktop: Desktop): Promise<{ x: number; y: number }> {
  const out = await xdotool(desktop, ['getmouselocation', '--shell']);
  const value = (key: string) => Number(new RegExp(`^${key}=(-?\\d+)`, 'm').exec(out)?.[1] ?? 0);
  return { x: value('X'), y: value('Y') };
}

const BUTTONS: Record<string, string> = { left: '1', middle: '2', right: '3' };

export function mouseButton(button: string | undefined): string {
  const number = BUTTONS[(button ?? 'left').toLowerCase()];
  if (!number) throw badRequest(`Invalid mouse button '${button}': use left, right or middle.`);
  return number;
}

/** Key names as a model or Daytona's SDK examples write them, mapped to X keysym names xdotool knows. */
const KEY_NAMES: Record<string, string> = {
  enter: 'Return',
  return: 'Return',
  tab: 'Tab',
  esc: 'Escape',
  escape: 'Escape',
  backspace: 'BackSpace',
  delete: 'Delete',
  del: 'Delete',
  insert: 'Insert',
  space: 'space',
  up: 'Up',
  down: 'Down',
  left: 'Left',
  right: 'Right',
  home: 'Home',
  end: 'End',
  pageup: 'Prior',
  page_up: 'Prior',
  pagedown: 'Next',
  page_down: 'Next',
  capslock: 'Caps_Lock',
  ctrl: 'ctrl',
  control: 'ctrl',
  alt: 'alt',
  option: 'alt',
  shift: 'shift',
  cmd: 'super',
  command: 'super',
  super: 'super',
  meta: 'super',
  win: 'super',
  windows: 'super',
};

export function keyName(key: string): string {
  const trimmed = key.trim();
  if (!trimmed) throw badRequest('Invalid key: give a key name such as Return, Tab, a or F5.');
  const lower = trimmed.toLowerCase();
  if (KEY_NAMES[lower]) return KEY_NAMES[lower];
  if (/^f([1-9]|1[0-9]|2[0-4])$/.test(lower)) return lower.toUpperCase();
  if (!/^[\w.,;:'"`~!@#$%^&*()\-+=[\]{}\\|/<>?]+$/u.test(trimmed))
    throw badRequest(`Invalid key '${key}': give one key name such as Return, Tab, a or F5.`);
  return trimmed;
}

/** "ctrl+shift+t" (Daytona's hotkey form) as xdotool's key chord. */
export function chord(keys: string): string {
  const parts = keys.split('+').map((part) => part.trim());
  if (parts.some((part) => !part)) throw badRequest(`Invalid hotkey '${keys}': join key names with +, e.g. ctrl+c or alt+tab.`);
  return parts.map(keyName).join('+');
}

export interface WindowInfo {
  id: number;
  title: string;
  x: number;
  y: number;
  width: number;
  height: number;
  isActive: boolean;
}

const WINDOWS_SCRIPT = `
active=$(xprop -root -notype _NET_ACTIVE_WINDOW | grep -o '0x[0-9a-fA-F]*' | head -n 1)
echo "active $((\${active:-0}))"
for w in $(xprop -root -notype _NET_CLIENT_LIST | sed -n 's/.*# *//p' | tr ',' ' ' | grep -o '0x[0-9a-fA-F]*'); do
  echo "window $((w))"
  xdotool getwindowgeometry --shell "$((w))" 2>/dev/null
  echo "title $(xdotool getwindowname "$((w))" 2>/dev/null | head -n 1)"
done
`;

/** The managed top-level windows (the window manager's client list), the focused one marked. */
export async function listWindows(desktop: Desktop): Promise<WindowInfo[]> {
  const result = await desktop.run(['/bin/sh', '-c', WINDOWS_SCRIPT]);
  if (result.exitCode !== 0) throw new ApiError(500, `Could not list the windows: ${result.stderr.trim().slice(0, 500)}`);
  let active = 0;
  const windows: WindowInfo[] = [];
  for (const line of result.stdout.split('\n')) {
    const [key, ...rest] = line.split(line.startsWith('title ') || line.startsWith('window ') || line.startsWith('active ') ? ' ' : '=');
    const value = rest.join(line.startsWith('title ') ? ' ' : '=');
    const current = windows.at(-1);
    if (key === 'active') active = Number(value);
    else if (key === 'window') windows.push({ id: Number(value), title: '', x: 0, y: 0, width: 0, height: 0, isActive: false });
    else if (current && key === 'title') current.title = value;
    else if (current && key === 'X') current.x = Number(value);
    else if (current && key === 'Y') current.y = Number(value);
    else if (current && key === 'WIDTH') current.width = Number(value);
    else if (current && key === 'HEIGHT') current.height = Number(value);
  }
  for (const window of windows) window.isActive = window.id === active;
  return windows;
}
