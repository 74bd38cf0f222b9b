import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { client } from './api/client';
import { App } from './app/App';
import { LiveStoreContext } from './live/hooks';
import { createLiveStore } from './live/live-store';
import './styles.css';

// The hub's client is a chunk of its own, fetched only when the server says it is a hub.
const store = createLiveStore(client, { hub: () => import('./api/hub-client').then((m) => m.hubClient) });
store.start();
// The benchmarks and the end-to-end tests read the live state from here; nothing else does.
(window as unknown as { __flotilla: unknown }).__flotilla = { store };

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <LiveStoreContext.Provider value={store}>
      <App />
    </LiveStoreContext.Provider>
  </StrictMode>,
);
