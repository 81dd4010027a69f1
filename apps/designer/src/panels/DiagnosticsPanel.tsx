import type { Diagnostic } from '@reelflow/fbp-model';
import { useReactFlow } from '@xyflow/react';
import { elementKey } from '../model/issues.js';
import { selectDiagnostics, selectFullyValidated } from '../store/selectors.js';
import { useDesigner, useDesignerStore } from '../store/store.js';

const icon = { error: '✕', warning: '!', info: 'i' } as const;

/** Every diagnostic of the graph; clicking one selects its element and brings it into view. */
export function DiagnosticsPanel() {
  const diagnostics = useDesigner(selectDiagnostics);
  const full = useDesigner(selectFullyValidated);
  const store = useDesignerStore();
  const flow = useReactFlow();
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;

  const reveal = (d: Diagnostic) => {
    const s = store.getState();
    const key = elementKey(d);
    if (key === undefined) return;
    const isEdge = d.element.kind === 'edge';
    s.select(isEdge ? [] : [key], isEdge ? [key] : []);
    const nodeId = isEdge ? s.graph.edges.find((e) => e.id === key)?.to.node : key;
    if (nodeId)
      void flow.fitView({ nodes: [{ id: nodeId }], duration: 300, maxZoom: 1.2, padding: 0.6 });
    if (!isEdge) s.setPanel('properties');
  };

  return (
    <section className="diagnostics" data-testid="diagnostics" data-errors={errors}>
      <header className="diag-head">
        <span className="panel-title">Problems</span>
        <span className={`pill ${errors ? 'pill-error' : 'pill-ok'}`}>{errors} errors</span>
        <span className={`pill ${warnings ? 'pill-warn' : 'pill-muted'}`}>{warnings} warnings</span>
        <span className="muted small">{full ? 'all rules' : 'fast rules · Validate runs all'}</span>
      </header>
      {diagnostics.length === 0 ? (
        <p className="empty small">No problems found.</p>
      ) : (
        <ul className="diag-list">
          {diagnostics.map((d, i) => (
            <li key={`${d.code}-${d.element.id}-${i}`}>
              <button
                type="button"
                className={`diagnostic sev-${d.severity}`}
                data-testid="diagnostic"
                data-code={d.code}
                data-element={d.element.id}
                data-severity={d.severity}
                onClick={() => reveal(d)}
              >
                <span className={`sev-icon sev-${d.severity}`}>{icon[d.severity]}</span>
                <span className="diag-msg">{d.message}</span>
                <span className="diag-where">
                  {d.element.kind} {d.element.id}
                  {d.property ? ` · ${d.property}` : ''}
                </span>
                <code className="diag-code">{d.code}</code>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
