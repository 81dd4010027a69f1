import type { NodeTypeDef } from '@reelflow/fbp-model';
import { useReactFlow } from '@xyflow/react';
import { Fragment, type DragEvent } from 'react';
import { addNodeAt, NODE_TYPE_MIME } from '../canvas/Canvas.js';
import { groupTypes } from '../model/palette-groups.js';
import { selectLibrary } from '../store/selectors.js';
import { useDesigner, useDesignerStore } from '../store/store.js';
import { usePanelOpen } from './layout-prefs.js';
import { PanelToggle } from './PanelToggle.js';

function PortChips({ def }: { def: NodeTypeDef }) {
  return (
    <span className="palette-ports">
      {def.ports.map((p) => (
        <span
          key={`${p.direction}-${p.name}`}
          className={`chip chip-${p.dataType}`}
          title={`${p.direction} ${p.name}: ${p.dataType}`}
        >
          {p.direction === 'in' ? '→' : ''}
          {p.dataType}
          {p.direction === 'out' ? '→' : ''}
        </span>
      ))}
    </span>
  );
}

/**
 * The library's node types; drag one onto the canvas, or double-click to add it. Collapsed, it
 * is a rail of lettered tiles that drag and double-click the same way.
 */
export function Palette() {
  const library = useDesigner(selectLibrary);
  const store = useDesignerStore();
  const flow = useReactFlow();
  const [open, setOpen] = usePanelOpen('palette');
  const onDragStart = (e: DragEvent, type: string) => {
    e.dataTransfer.setData(NODE_TYPE_MIME, type);
    e.dataTransfer.effectAllowed = 'copy';
  };
  const addAtCentre = (type: string) => {
    const box = document.querySelector('.canvas-wrap')?.getBoundingClientRect();
    const centre = box
      ? { x: box.left + box.width / 2, y: box.top + box.height / 2 }
      : { x: 400, y: 300 };
    addNodeAt(store.getState(), type, flow.screenToFlowPosition(centre));
  };
  return (
    <aside className={`palette${open ? '' : ' collapsed'}`} aria-label="Node types">
      <div className="panel-head">
        {open && <h2 className="panel-title">Nodes</h2>}
        <PanelToggle panel="palette" open={open} onToggle={() => setOpen(!open)} />
      </div>
      {open && <p className="panel-hint">Drag onto the canvas</p>}
      <ul>
        {groupTypes(library.types()).map(({ group, types }) => (
          <Fragment key={group}>
            {open && (
              <li className="palette-group" role="presentation">
                {group}
              </li>
            )}
            {types.map((def) => (
              <li
                key={def.type}
                className={`palette-entry kind-${def.firing}`}
                data-testid={`palette-${def.type}`}
                draggable
                onDragStart={(e) => onDragStart(e, def.type)}
                onDoubleClick={() => addAtCentre(def.type)}
                title={open ? def.description : `${def.title}: ${def.description}`}
                aria-label={open ? undefined : def.title}
              >
                <span className={`type-dot kind-${def.firing}`} aria-hidden>
                  {!open && def.title.slice(0, 2)}
                </span>
                {open && (
                  <span className="palette-text">
                    <span className="palette-title">{def.title}</span>
                    <span className="palette-desc">{def.description}</span>
                    <PortChips def={def} />
                  </span>
                )}
              </li>
            ))}
          </Fragment>
        ))}
      </ul>
      {open && (
        <div className="legend">
          <span className="chip chip-video">video</span> one whole file
          <br />
          <span className="chip chip-chunk">chunk</span> one segment
          <br />
          <span className="chip chip-audio">audio</span> one audio track
        </div>
      )}
    </aside>
  );
}
