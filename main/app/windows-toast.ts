import { join } from 'node:path';
import { z } from 'zod';
import { APP_ID, START_MENU_SHORTCUT_NAME, TOAST_ACTIVATOR_CLSID } from './app-identity.ts';
import type { NotificationAction, NotificationSpec } from './notification-view.ts';
import type { ViewName } from '../../preload/contract.ts';

/**
 * Windows notifications that still work from Action Center, after the toast left the screen or the app
 * restarted: Windows then activates the app's COM class (TOAST_ACTIVATOR_CLSID) with the `launch` or button
 * `arguments` string written into the toast, and Electron hands that string to Notification.handleActivation.
 * So the toast carries its action itself, as data, rather than a reference to a Notification object that may
 * be gone. Toast schema: https://learn.microsoft.com/en-us/uwp/schemas/tiles/toastschema/schema-root
 */
const PREFIX = 'daytona-tray-notification:';

const xml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

export function toastArguments(action: NotificationAction): string {
  return `${PREFIX}${encodeURIComponent(JSON.stringify(action))}`;
}

/** The toast for a notification: title, body, one button per action; each activation names its action. */
export function toastXml(spec: NotificationSpec): string {
  const buttons = spec.buttons
    .map(
      (button) => `<action content="${xml(button.label)}" arguments="${xml(toastArguments(button.action))}" activationType="foreground"/>`,
    )
    .join('');
  return (
    `<toast launch="${xml(toastArguments(spec.click))}" activationType="foreground"${spec.urgency === 'critical' ? ' scenario="reminder"' : ''}>` +
    `<visual><binding template="ToastGeneric"><text>${xml(spec.title)}</text><text>${xml(spec.body)}</text></binding></visual>` +
    (buttons ? `<actions>${buttons}</actions>` : '') +
    `</toast>`
  );
}

const VIEWS = ['sandboxes', 'balance', 'clients', 'server', 'settings'] as const satisfies readonly ViewName[];
// Fails to compile when the contract gains a view this list lacks.
const everyView: Record<ViewName, true> = Object.fromEntries(VIEWS.map((view) => [view, true])) as Record<(typeof VIEWS)[number], true>;
void everyView;
const label = z.string().max(200);
const actionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('restart-sandbox'), sandboxId: z.string().min(1).max(200), label }),
  z.object({
    type: z.literal('open-window'),
    label,
    target: z.object({ view: z.enum(VIEWS), sandboxId: z.string().max(200).optional() }),
  }),
  z.object({ type: z.literal('restart-mcp'), label }),
  z.object({ type: z.literal('top-up'), label }),
]);

/** The action an activation's arguments name; undefined for anything this app did not write into a toast. */
export function parseToastArguments(args: string): NotificationAction | undefined {
  if (!args.startsWith(PREFIX)) return undefined;
  try {
    const parsed = actionSchema.safeParse(JSON.parse(decodeURIComponent(args.slice(PREFIX.length))));
    return parsed.success ? (parsed.data as NotificationAction) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The Start menu shortcut as Windows needs it for Action Center: the installer's shortcut with the app's
 * AppUserModelID and the toast activator CLSID (NSIS sets only the former). Undefined without %APPDATA%.
 */
export function startMenuShortcut(
  env: NodeJS.ProcessEnv,
  execPath: string,
): { path: string; target: string; appUserModelId: string; toastActivatorClsid: string } | undefined {
  if (!env.APPDATA) return undefined;
  return {
    path: join(env.APPDATA, 'Microsoft', 'Windows', 'Start Menu', 'Programs', START_MENU_SHORTCUT_NAME),
    target: execPath,
    appUserModelId: APP_ID,
    toastActivatorClsid: TOAST_ACTIVATOR_CLSID,
  };
}
