import { describe, expect, it } from 'vitest';
import { APP_ID } from '../../main/app/app-identity.ts';
import type { NotificationAction } from '../../main/app/notification-view.ts';
import { parseToastArguments, startMenuShortcut, toastArguments, toastXml } from '../../main/app/windows-toast.ts';

const actions: NotificationAction[] = [
  { type: 'restart-sandbox', sandboxId: 'sb-1', label: 'Restart' },
  { type: 'open-window', label: 'Open', target: { view: 'balance' } },
  { type: 'restart-mcp', label: 'Restart server' },
  { type: 'top-up', label: 'Top up' },
];

describe('Windows toasts that carry their actions', () => {
  it('round-trips every kind of action through the activation arguments', () => {
    for (const action of actions) expect(parseToastArguments(toastArguments(action))).toEqual(action);
  });

  it('ignores arguments it did not write, or that name no action it knows', () => {
    expect(parseToastArguments('')).toBeUndefined();
    expect(parseToastArguments('other:thing')).toBeUndefined();
    expect(parseToastArguments('daytona-tray-notification:%7Bnot json')).toBeUndefined();
    expect(parseToastArguments(`daytona-tray-notification:${encodeURIComponent('{"type":"delete-everything"}')}`)).toBeUndefined();
    expect(
      parseToastArguments(
        `daytona-tray-notification:${encodeURIComponent('{"type":"open-window","label":"x","target":{"view":"nowhere"}}')}`,
      ),
    ).toBeUndefined();
  });

  it('writes a critical notification as a reminder that stays on screen, and no actions element without buttons', () => {
    const spec = {
      title: 'Credits depleted',
      body: 'Top up',
      buttons: [],
      click: actions[1]!,
      view: 'balance' as const,
      groupId: 'billing',
      urgency: 'critical' as const,
    };
    const xml = toastXml(spec);
    expect(xml).toMatch(/^<toast launch="daytona-tray-notification:[^"]+" activationType="foreground" scenario="reminder">/);
    expect(xml).not.toContain('<actions>');
    expect(toastXml({ ...spec, urgency: 'normal' })).not.toContain('scenario');
  });

  it("names the installer's Start menu shortcut under %APPDATA%", () => {
    expect(startMenuShortcut({}, 'C:/app/daytona-tray.exe')).toBeUndefined();
    expect(startMenuShortcut({ APPDATA: '/home/u/AppData/Roaming' }, '/app/daytona-tray.exe')).toMatchObject({
      path: '/home/u/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Daytona Tray.lnk',
      appUserModelId: APP_ID,
    });
  });
});
