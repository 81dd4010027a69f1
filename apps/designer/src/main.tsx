import '@xyflow/react/dist/style.css';
import './styles.css';
import { createRoot } from 'react-dom/client';
import { ExecutorCapabilitiesSchema } from '@reelflow/fbp-model';
import { App } from './App.js';
import { api } from './api.js';
import { indexIssues } from './model/issues.js';
import { createServices } from './model/services.js';
import { createDesignerStore } from './store/store.js';

const services = createServices();
const store = createDesignerStore(services);

// The runtime's machines, once: nodes they cannot run (a hardware encode without /dev/dri,
// placement no machine satisfies) show as warnings; at Run the runtime refuses them. Without
// a runtime (or an older one) the designer validates as before.
void api('/api/executor/capabilities', ExecutorCapabilitiesSchema)
  .then((capabilities) => {
    services.setCapabilities(capabilities);
    // Re-check what is on the canvas the way it was last checked (fast rules, or all).
    const s = store.getState();
    if (s.graph.nodes.length === 0) return;
    if (s.fullyValidated) s.validateAll();
    else {
      const diagnostics = services.validateFast(s.graph);
      store.setState({ diagnostics, issues: indexIssues(diagnostics, s.graph) });
    }
  })
  .catch(() => undefined);

// Exposed for end-to-end tests and benchmarks, which drive the store directly.
(window as unknown as { __reelflow?: unknown }).__reelflow = { store, services };

// No <StrictMode>: its double mount disposes Monaco's services under @monaco-editor/react
// in development ("InstantiationService has been disposed").
createRoot(document.getElementById('root')!).render(<App store={store} services={services} />);
