/** The tray window. The full window (sandboxes, clients, balance, settings) is built on the preload contract. */
export function App() {
  return (
    <main>
      <h1>Daytona Tray</h1>
      <p>Sandboxes for your AI agents, from the tray.</p>
    </main>
  );
}
