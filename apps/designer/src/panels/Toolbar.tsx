import { useRef, type ReactNode } from 'react';
import { useCommands } from '../commands.js';
import {
  selectCanRedo,
  selectCanUndo,
  selectDiagnostics,
  selectDirty,
  selectGraph,
  selectMode,
  selectRunState,
} from '../store/selectors.js';
import { useDesigner, useDesignerStore } from '../store/store.js';
import { isActiveRunState } from '../run/RunPanel.js';
import { Icon } from './icons.js';
import { useBurstHistory } from '../store/burst.js';

function Button({
  id,
  label,
  icon,
  title,
  onClick,
  disabled,
  primary,
  active,
  iconOnly,
}: {
  id: string;
  label: string;
  icon: ReactNode;
  title: string;
  onClick: () => void;
  disabled?: boolean;
  primary?: boolean;
  active?: boolean;
  iconOnly?: boolean;
}) {
  return (
    <button
      type="button"
      className={`tb-btn${primary ? ' primary' : ''}${active ? ' active' : ''}`}
      data-testid={id}
      title={title}
      aria-label={label}
      aria-pressed={active}
      onClick={onClick}
      disabled={disabled}
    >
      <span className="tb-icon" aria-hidden>
        {icon}
      </span>
      {!iconOnly && <span className="tb-label">{label}</span>}
    </button>
  );
}

/** The top bar: file, edit, view and mode commands, each with its test id. */
export function Toolbar() {
  const c = useCommands();
  const store = useDesignerStore();
  const graph = useDesigner(selectGraph);
  const canUndo = useDesigner(selectCanUndo);
  const canRedo = useDesigner(selectCanRedo);
  const mode = useDesigner(selectMode);
  const runState = useDesigner(selectRunState);
  const diagnostics = useDesigner(selectDiagnostics);
  const dirty = useDesigner(selectDirty);
  const importRef = useRef<HTMLInputElement>(null);
  const historyFor = useBurstHistory();
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const running = runState !== undefined && isActiveRunState(runState);
  return (
    <header className="toolbar">
      <div className="brand">
        <span className="logo" aria-hidden>
          ◆
        </span>
        <span className="brand-name">Reelflow</span>
      </div>
      <input
        className="graph-name"
        aria-label="Graph name"
        value={graph.name}
        onChange={(e) =>
          store
            .getState()
            .dispatch([{ kind: 'set-name', name: e.target.value }], historyFor('name'))
        }
      />
      {dirty && (
        <span className="dirty-mark" data-testid="dirty" title="Changes not saved on the runtime">
          ● unsaved
        </span>
      )}
      <div className="tb-group tb-compact">
        <Button
          id="new"
          label="New"
          icon={<Icon name="new" />}
          title="Start a new, empty flow"
          onClick={() => void c.newFlow()}
        />
        <Button
          id="open"
          label="Open"
          icon={<Icon name="open" />}
          title="Open a graph saved on the runtime"
          onClick={() => store.getState().setPanel('files')}
        />
        <Button
          id="save"
          label="Save"
          icon={<Icon name="save" />}
          title="Save on the runtime (Ctrl+S)"
          onClick={() => void c.save()}
        />
        <Button
          id="save-as"
          label="Save as"
          icon={<Icon name="saveAs" />}
          title="Save as a new graph (Ctrl+Shift+S)"
          onClick={() => void c.saveAs()}
        />
        <Button
          id="import"
          label="Import"
          icon={<Icon name="import" />}
          title="Import a Reelflow or NoFlo FBP JSON file"
          onClick={() => importRef.current?.click()}
        />
        <Button
          id="export"
          label="Export"
          icon={<Icon name="export" />}
          title="Download the graph as JSON"
          onClick={() => c.exportGraph('reelflow')}
        />
        <input
          ref={importRef}
          type="file"
          accept=".json,application/json"
          hidden
          data-testid="import-file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void c.importFile(file);
            e.target.value = '';
          }}
        />
      </div>
      <div className="tb-group">
        <Button
          id="undo"
          label="Undo"
          iconOnly
          icon={<Icon name="undo" />}
          title="Undo (Ctrl+Z)"
          onClick={c.undo}
          disabled={!canUndo}
        />
        <Button
          id="redo"
          label="Redo"
          iconOnly
          icon={<Icon name="redo" />}
          title="Redo (Ctrl+Shift+Z)"
          onClick={c.redo}
          disabled={!canRedo}
        />
        <Button
          id="layout"
          label="Layout"
          icon={<Icon name="layout" />}
          title="Auto-layout (L)"
          onClick={() => void c.layout()}
        />
        <Button
          id="fit"
          label="Fit"
          iconOnly
          icon={<Icon name="fit" />}
          title="Fit view (F)"
          onClick={c.fitView}
        />
      </div>
      <div className="tb-spacer" />
      <div className="tb-group">
        <Button
          id="validate"
          label={errors ? `Validate · ${errors}` : 'Validate'}
          icon={<Icon name="validate" />}
          title="Run every rule and the constraints (V)"
          onClick={c.validate}
        />
        <Button
          id="simulate"
          label="Simulate"
          icon={<Icon name="simulate" />}
          title="Simulation mode (S)"
          onClick={c.toggleSimulate}
          active={mode === 'simulate'}
        />
        <Button
          id="step"
          label="Step"
          icon={<Icon name="step" />}
          title="Simulation: one step (.)"
          onClick={c.step}
        />
        <Button
          id="run"
          label="Run"
          icon={<Icon name="play" />}
          title="Run on the runtime"
          onClick={() => void c.run.start()}
          primary
          disabled={running}
        />
        <Button
          id="cancel"
          label="Cancel"
          icon={<Icon name="stop" />}
          title="Cancel the run"
          onClick={() => void c.run.cancel()}
          disabled={!running}
        />
        <Button
          id="shortcuts"
          label="Shortcuts"
          iconOnly
          icon={<Icon name="help" />}
          title="Keyboard shortcuts (?)"
          onClick={c.help}
        />
      </div>
    </header>
  );
}
