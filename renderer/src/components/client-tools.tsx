import { useId, useState, type FormEvent } from 'react';
import { TOOL_GROUPS, type ClientView, type ToolGroup } from '../../../preload/contract.ts';
import { TOOL_GROUP_LABELS } from '../tool-group-labels.ts';
import { Button } from './button.tsx';

/** "All tools", or the groups by name: what the client's entry offers it. */
export function describeTools(tools: readonly ToolGroup[]): string {
  if (tools.length === TOOL_GROUPS.length) return 'All tools';
  const missing = TOOL_GROUPS.filter((group) => !tools.includes(group));
  const names = (groups: readonly ToolGroup[]) => groups.map((group) => TOOL_GROUP_LABELS[group][0].toLowerCase()).join(', ');
  // The shorter of the two: "All but computer use" reads better than five names.
  return missing.length <= tools.length ? `All but ${names(missing)}` : `Only ${names(tools)}`;
}

/**
 * The tool groups one client gets (`bridge --tools` in its entry): a summary, and on demand a checkbox per
 * group; saving connects again with those groups. The client's documented tool cap is said beside them.
 */
export function ClientTools({
  client,
  pending,
  onSave,
}: {
  client: ClientView;
  pending: boolean;
  onSave: (tools: ToolGroup[]) => Promise<boolean>;
}) {
  const [open, setOpen] = useState(false);
  const [chosen, setChosen] = useState<ToolGroup[]>(client.tools);
  const formId = useId();
  const connected = client.entry === 'ours';
  const changed = chosen.length !== client.tools.length || chosen.some((group) => !client.tools.includes(group));

  function toggle(group: ToolGroup, on: boolean) {
    setChosen((before) => TOOL_GROUPS.filter((g) => (g === group ? on : before.includes(g))));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (await onSave(chosen)) setOpen(false);
  }

  return (
    <div className="client-tools">
      <p className="small">
        <span className="muted">Tools: </span>
        {describeTools(client.tools)}
        {client.toolCap ? (
          <span className="muted">
            {' '}
            · {client.name} takes at most {client.toolCap.limit} tools over all its servers
          </span>
        ) : null}{' '}
        <button
          type="button"
          className="link small"
          aria-expanded={open}
          aria-controls={formId}
          onClick={() => {
            setChosen(client.tools);
            setOpen(!open);
          }}
        >
          {open ? 'Close' : 'Choose tools'}
        </button>
      </p>
      {open ? (
        <form id={formId} className="client-tools-form" onSubmit={(event) => void submit(event)}>
          <fieldset>
            <legend className="small muted">Tool groups {client.name} gets</legend>
            {TOOL_GROUPS.map((group) => (
              <label key={group} className="small block">
                <input type="checkbox" checked={chosen.includes(group)} onChange={(event) => toggle(group, event.target.checked)} />{' '}
                {TOOL_GROUP_LABELS[group][0]} <span className="muted">({TOOL_GROUP_LABELS[group][1]})</span>
              </label>
            ))}
          </fieldset>
          {chosen.length === 0 ? <p className="small warn-text">Choose at least one group.</p> : null}
          <Button
            size="small"
            variant="primary"
            type="submit"
            disabled={chosen.length === 0 || (connected && !changed)}
            pending={pending}
            pendingLabel="Saving…"
          >
            {connected ? 'Save tools' : 'Connect with these tools'}
          </Button>
        </form>
      ) : null}
    </div>
  );
}
