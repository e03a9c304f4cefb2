import { useId, useState, type FormEvent } from 'react';
import { NOTIFICATION_KINDS, TOOL_GROUPS, type AppState, type NotificationKind, type SettingsPatch } from '../../../preload/contract.ts';
import { useBridge } from '../bridge.ts';
import { useAction } from '../hooks/use-action.ts';
import { AccountSettings } from './account-settings.tsx';
import { Switch } from './switch.tsx';
import { TransferFolderSetting } from './transfer-folder-setting.tsx';
import { TOOL_GROUP_LABELS } from '../tool-group-labels.ts';

const NOTIFICATION_LABELS: Record<NotificationKind, string> = {
  autoStop: 'A sandbox auto-stopped',
  autoPause: 'A sandbox auto-paused',
  autoArchive: 'A sandbox was archived',
  autoDelete: 'A sandbox was auto-deleted',
  ttlExpired: "A sandbox's time to live ran out",
  sandboxError: 'A sandbox failed',
  lowBalance: 'Balance is low',
  creditsDepleted: 'Credits ran out',
  serverFailed: 'The MCP server is down',
};

/** Profile, key and sign-in; the tools offered to AI clients; notifications; and the app's own switches. */
export function SettingsView({ state }: { state: AppState }) {
  const bridge = useBridge();
  const update = useAction(bridge.updateSettings);
  const { settings } = state;
  const thresholdId = useId();
  const portId = useId();
  const graceId = useId();
  const [graceDraft, setGraceDraft] = useState<string>();
  const poolId = useId();
  const [poolDraft, setPoolDraft] = useState<string>();
  const [thresholdDraft, setThresholdDraft] = useState<string>();
  const [portDraft, setPortDraft] = useState<string>();
  const save = (patch: SettingsPatch) => void update.run(patch);

  function saveThreshold(event: FormEvent) {
    event.preventDefault();
    const dollars = Number(thresholdDraft);
    if (thresholdDraft === undefined || !Number.isFinite(dollars) || dollars < 0) return;
    void update.run({ lowBalanceThresholdCents: Math.round(dollars * 100) }).then((result) => result?.ok && setThresholdDraft(undefined));
  }

  function savePort(event: FormEvent) {
    event.preventDefault();
    const port = Number(portDraft);
    if (portDraft === undefined || !Number.isInteger(port) || port < 0 || port > 65_535) return;
    void update.run({ mcpPort: port }).then((result) => result?.ok && setPortDraft(undefined));
  }

  function saveGrace(event: FormEvent) {
    event.preventDefault();
    const minutes = Number(graceDraft);
    if (graceDraft === undefined || !Number.isInteger(minutes) || minutes < 0 || minutes > 1440) return;
    void update.run({ sharedGraceMinutes: minutes }).then((result) => result?.ok && setGraceDraft(undefined));
  }

  function savePool(event: FormEvent) {
    event.preventDefault();
    const size = Number(poolDraft);
    if (poolDraft === undefined || !Number.isInteger(size) || size < 0 || size > 10) return;
    void update.run({ warmPoolSize: size }).then((result) => result?.ok && setPoolDraft(undefined));
  }

  return (
    <section className="view stack" aria-labelledby="settings-title">
      <h2 id="settings-title" className="sr-only">
        Settings
      </h2>
      <AccountSettings state={state} />

      {update.error ? (
        <p className="error-text" role="alert">
          {update.error.message}
        </p>
      ) : null}

      <fieldset className="card settings-group">
        <legend>Tools offered to AI clients</legend>
        <p className="muted small">Clients cap how many tools they load: switch off what you do not use.</p>
        {TOOL_GROUPS.map((group) => (
          <Switch
            key={group}
            label={TOOL_GROUP_LABELS[group][0]}
            description={TOOL_GROUP_LABELS[group][1]}
            checked={settings.toolGroups[group]}
            onChange={(checked) => save({ toolGroups: { [group]: checked } })}
          />
        ))}
      </fieldset>

      <fieldset className="card settings-group">
        <legend>Files on this computer</legend>
        <TransferFolderSetting folder={settings.transferFolder} canPick={!state.app.unavailable.includes('folder-picker')} />
      </fieldset>

      <fieldset className="card settings-group">
        <legend>Notify me when</legend>
        {NOTIFICATION_KINDS.map((kind) => (
          <Switch
            key={kind}
            label={NOTIFICATION_LABELS[kind]}
            checked={settings.notifications[kind]}
            onChange={(checked) => save({ notifications: { [kind]: checked } })}
          />
        ))}
        <form className="inline-form" onSubmit={saveThreshold}>
          <label htmlFor={thresholdId}>Low balance below ($)</label>
          <input
            id={thresholdId}
            type="number"
            min={0}
            step={1}
            inputMode="decimal"
            value={thresholdDraft ?? String(settings.lowBalanceThresholdCents / 100)}
            onChange={(event) => setThresholdDraft(event.currentTarget.value)}
            onBlur={(event) => saveThreshold(event)}
          />
        </form>
      </fieldset>

      <fieldset className="card settings-group">
        <legend>General</legend>
        {state.app.unavailable.includes('start-at-login') ? (
          <p className="muted small" data-testid="no-start-at-login">
            Start at login needs the desktop app: this window runs in your browser, started by <code>daytona-tray app</code>.
          </p>
        ) : (
          <Switch label="Start at login" checked={settings.startAtLogin} onChange={(checked) => save({ startAtLogin: checked })} />
        )}
        {state.app.unavailable.includes('tray-icon') ? (
          <p className="muted small" data-testid="no-tray-icon">
            No tray icon in the browser: keep this tab open, or bookmark it; Ctrl-C where <code>daytona-tray app</code> runs stops the app.
          </p>
        ) : null}
        <form className="inline-form" onSubmit={savePort}>
          <label htmlFor={portId}>
            MCP server port <span className="muted small">(0 = any free port)</span>
          </label>
          <input
            id={portId}
            type="number"
            min={0}
            max={65535}
            value={portDraft ?? String(settings.mcpPort)}
            onChange={(event) => setPortDraft(event.currentTarget.value)}
            onBlur={(event) => savePort(event)}
          />
        </form>
        <form className="inline-form" onSubmit={saveGrace}>
          <label htmlFor={graceId}>
            Without the tray, AI clients’ shared server stops after (minutes){' '}
            <span className="muted small">(counted from the last client leaving)</span>
          </label>
          <input
            id={graceId}
            type="number"
            min={0}
            max={1440}
            value={graceDraft ?? String(settings.sharedGraceMinutes)}
            onChange={(event) => setGraceDraft(event.currentTarget.value)}
            onBlur={(event) => saveGrace(event)}
          />
        </form>
        <form className="inline-form" onSubmit={savePool}>
          <label htmlFor={poolId}>
            Warm sandboxes kept ready <span className="muted small">(for instant creates on this computer; 0 keeps none)</span>
          </label>
          <input
            id={poolId}
            type="number"
            min={0}
            max={10}
            value={poolDraft ?? String(settings.warmPoolSize)}
            onChange={(event) => setPoolDraft(event.currentTarget.value)}
            onBlur={(event) => savePool(event)}
          />
        </form>
      </fieldset>
      <p className="muted small center">Daytona Tray {state.app.version}</p>
    </section>
  );
}
