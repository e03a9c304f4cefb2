import { describe, expect, it } from 'vitest';
import type { Alert } from '../../main/core/alerts/alert-types.ts';
import { notificationSpec } from '../../main/app/notification-view.ts';

const autoStop: Alert = {
  kind: 'auto-stop',
  title: 'Sandbox auto-stopped',
  body: 'web-dev stopped after 15 min without activity.',
  sandboxIds: ['sb-1'],
  actions: [
    { type: 'restart-sandbox', sandboxId: 'sb-1', label: 'Restart' },
    { type: 'open-window', label: 'Open Daytona Tray' },
  ],
  at: '2026-11-26T10:00:00.000Z',
};

describe('notificationSpec', () => {
  it('offers "Restart" as a button on macOS and Windows, and a click opens the sandbox list', () => {
    for (const platform of ['darwin', 'win32']) {
      const spec = notificationSpec(autoStop, platform);
      expect(spec.buttons).toEqual([{ label: 'Restart', action: { type: 'restart-sandbox', sandboxId: 'sb-1', label: 'Restart' } }]);
      expect(spec.click).toEqual({ type: 'open-window', label: 'Open Daytona Tray', target: { view: 'sandboxes', sandboxId: 'sb-1' } });
      expect(spec.view).toBe('sandboxes');
      expect(spec).toMatchObject({
        title: 'Sandbox auto-stopped',
        body: autoStop.body,
        urgency: 'normal',
        groupId: 'daytona-tray.auto-stop',
      });
    }
  });

  it('has no buttons on Linux (Electron shows none there): the click opens the window that has the action', () => {
    const spec = notificationSpec(autoStop, 'linux');
    expect(spec.buttons).toEqual([]);
    expect(spec.click).toMatchObject({ type: 'open-window', target: { view: 'sandboxes', sandboxId: 'sb-1' } });
  });

  it('has the buttons on any platform where the desktop says it shows them (the web shell)', () => {
    expect(notificationSpec(autoStop, 'linux', true).buttons).toEqual([
      { label: 'Restart', action: { type: 'restart-sandbox', sandboxId: 'sb-1', label: 'Restart' } },
    ]);
    expect(notificationSpec(autoStop, 'darwin', false).buttons).toEqual([]);
  });

  it('opens a coalesced burst at its first sandbox', () => {
    const burst: Alert = { ...autoStop, sandboxIds: ['sb-2', 'sb-3'] };
    expect(notificationSpec(burst, 'linux').click).toMatchObject({ target: { view: 'sandboxes', sandboxId: 'sb-2' } });
  });

  it('opens the balance view for money alerts and the server view for a down server, marked critical where it lasts', () => {
    const depleted: Alert = {
      ...autoStop,
      kind: 'credits-depleted',
      sandboxIds: [],
      actions: [
        { type: 'top-up', label: 'Top up' },
        { type: 'open-window', label: 'Open Daytona Tray' },
      ],
    };
    expect(notificationSpec(depleted, 'darwin')).toMatchObject({
      view: 'balance',
      urgency: 'critical',
      buttons: [{ label: 'Top up', action: { type: 'top-up' } }],
    });
    const down: Alert = { ...autoStop, kind: 'server-failed', sandboxIds: [], actions: [{ type: 'restart-mcp', label: 'Restart server' }] };
    const spec = notificationSpec(down, 'win32');
    expect(spec).toMatchObject({ view: 'server', urgency: 'critical', buttons: [{ label: 'Restart server' }] });
    // An alert without an explicit open action still opens the window on click.
    expect(spec.click).toEqual({ type: 'open-window', label: 'Open Daytona Tray', target: { view: 'server' } });
  });
});
