import { selectHelpOpen } from '../store/selectors.js';
import { useDesigner, useDesignerStore } from '../store/store.js';
import { SHORTCUTS } from '../shortcuts.js';

/** The keyboard shortcuts, opened with “?”. */
export function HelpOverlay() {
  const open = useDesigner(selectHelpOpen);
  const store = useDesignerStore();
  if (!open) return null;
  return (
    <div
      className="overlay"
      role="dialog"
      aria-label="Keyboard shortcuts"
      data-testid="help"
      onClick={() => store.getState().setHelp(false)}
    >
      <div className="overlay-card" onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard shortcuts</h2>
        <table>
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.label}>
                <td>
                  {s.keys.map((k) => (
                    <kbd key={k}>{k}</kbd>
                  ))}
                </td>
                <td>{s.label}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted small">
          Drag from an output port to an input port to connect. Shift-drag selects a box.
        </p>
        <button type="button" className="btn" onClick={() => store.getState().setHelp(false)}>
          Close
        </button>
      </div>
    </div>
  );
}
