/**
 * The renderer's entry: opens the channel to the service (transport.ts), then mounts the app.
 * If the service cannot be reached the page says why, in words.
 */
import { createRoot } from 'react-dom/client';
import '@xterm/xterm/css/xterm.css';
import './styles.css';
import { App } from './App.js';
import { connectService } from './transport.js';

const rootEl = document.getElementById('root');
if (rootEl) {
  const root = createRoot(rootEl);
  connectService().then(
    (service) => root.render(<App service={service} />),
    (e: unknown) =>
      root.render(
        <main className="fatal" role="alert">
          <h1>Keyway</h1>
          <p>{e instanceof Error ? e.message : String(e)}</p>
        </main>,
      ),
  );
}
