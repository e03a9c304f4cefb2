import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { BridgeContext, windowBridge } from './bridge.ts';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
const bridge = windowBridge();
createRoot(root).render(
  <StrictMode>
    {bridge ? (
      <BridgeContext value={bridge}>
        <App />
      </BridgeContext>
    ) : (
      <main className="boot">
        <p>This window only works inside Daytona Tray (no bridge to the app was found).</p>
      </main>
    )}
  </StrictMode>,
);
