import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { BridgeContext, windowBridge } from './bridge.ts';
import { StateStoreContext } from './hooks/use-app-state.ts';
import { createStateStore } from './state-store.ts';
import { viewRequests } from './view-requests.ts';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
const bridge = windowBridge();
if (bridge) {
  const store = createStateStore(bridge);
  const requests = viewRequests(bridge);
  // One IPC round trip before the first render, so the first frame is the real window, not a spinner;
  // if main is slow to answer, render anyway after a second (the window shows "Loading…" until it does).
  await Promise.race([store.load(), new Promise((resolve) => setTimeout(resolve, 1_000))]);
  createRoot(root).render(
    <StrictMode>
      <BridgeContext value={bridge}>
        <StateStoreContext value={store}>
          <App viewRequests={requests} />
        </StateStoreContext>
      </BridgeContext>
    </StrictMode>,
  );
} else {
  createRoot(root).render(
    <main className="boot">
      <p>This window only works inside Daytona Tray (no bridge to the app was found).</p>
    </main>,
  );
}
