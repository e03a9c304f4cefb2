import { useId, useState } from 'react';
import type { AppState } from '../../../preload/contract.ts';
import { useBridge } from '../bridge.ts';
import { useAction } from '../hooks/use-action.ts';
import { Banner } from './banner.tsx';
import { Button } from './button.tsx';
import { RefreshIcon } from './icons.tsx';
import { ClientRow } from './client-row.tsx';

/** The AI clients on this computer and whether each can reach Daytona through our MCP bridge. */
export function ClientsView({ state }: { state: AppState }) {
  const bridge = useBridge();
  const refresh = useAction(bridge.refreshClients);
  const installed = state.clients.filter((client) => client.installed);
  const missing = state.clients.filter((client) => !client.installed);
  const [showMissing, setShowMissing] = useState(false);
  const listId = useId();
  return (
    <section className="view" aria-labelledby="clients-title">
      <div className="view-head">
        <h2 id="clients-title" className="view-title">
          AI clients
        </h2>
        <Button
          size="small"
          variant="ghost"
          onClick={() => void refresh.run()}
          pending={refresh.pending}
          aria-label="Look for clients again"
          title="Look again"
        >
          <RefreshIcon />
        </Button>
      </div>
      <p className="muted small">Connecting adds a “daytona” MCP server to the client's config. Your API key is never written there.</p>
      {refresh.error ? <Banner tone="error">{refresh.error.message}</Banner> : null}
      {installed.length === 0 ? <p className="muted small">None of the clients below seems to be installed here.</p> : null}
      <ul className="client-list" aria-label="Clients">
        {installed.map((client) => (
          <ClientRow key={client.id} client={client} />
        ))}
      </ul>
      {missing.length > 0 ? (
        <>
          <button
            type="button"
            className="link small"
            aria-expanded={showMissing || installed.length === 0}
            aria-controls={listId}
            onClick={() => setShowMissing(!showMissing)}
            hidden={installed.length === 0}
          >
            {showMissing ? `Hide the ${missing.length} not installed` : `Show ${missing.length} more (not installed)`}
          </button>
          {showMissing || installed.length === 0 ? (
            <ul id={listId} className="client-list" aria-label="Clients not installed">
              {missing.map((client) => (
                <ClientRow key={client.id} client={client} />
              ))}
            </ul>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
