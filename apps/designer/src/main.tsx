import '@xyflow/react/dist/style.css';
import './styles.css';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { createServices } from './model/services.js';
import { createDesignerStore } from './store/store.js';

const services = createServices();
const store = createDesignerStore(services);

// Exposed for end-to-end tests and benchmarks, which drive the store directly.
(window as unknown as { __reelflow?: unknown }).__reelflow = { store, services };

// No <StrictMode>: its double mount disposes Monaco's services under @monaco-editor/react
// in development ("InstantiationService has been disposed").
createRoot(document.getElementById('root')!).render(<App store={store} services={services} />);
