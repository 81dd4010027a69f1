import { useEffect, useRef, useState, type ReactNode } from 'react';
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
import { MEDIUM_MIN, useMinWidth, WIDE_MIN } from './layout-prefs.js';
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

/** A toolbar command; `from` is the narrowest tier at which it stays on the bar. */
interface Action {
  id: string;
  label: string;
  icon: ReactNode;
  title: string;
  onClick: () => void;
  disabled?: boolean;
  primary?: boolean;
  active?: boolean;
  iconOnly?: boolean;
  from: Tier;
}

/** `wide`: at least WIDE_MIN px; `medium`: at least MEDIUM_MIN; `always`: at every width. */
type Tier = 'always' | 'medium' | 'wide';

function useTier(): Tier {
  const wide = useMinWidth(WIDE_MIN);
  const medium = useMinWidth(MEDIUM_MIN);
  return wide ? 'wide' : medium ? 'medium' : 'always';
}

const RANK: Record<Tier, number> = { always: 0, medium: 1, wide: 2 };
/** Whether an action whose tier is `from` is on the bar at the window's tier `tier`. */
const onBar = (from: Tier, tier: Tier) => RANK[tier] >= RANK[from];

/**
 * The More menu: the commands the bar has no room for at this width, same test ids, same
 * handlers. Closes on a choice, Escape or a click elsewhere.
 */
function MoreMenu({ groups }: { groups: readonly (readonly Action[])[] }) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return undefined;
    const onDown = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    // While the menu is open, arrows move between its items and Escape closes it, giving focus
    // back to its button; neither reaches the canvas (shortcuts, nodes moved by arrows).
    const items = () => [
      ...(root.current?.querySelectorAll<HTMLButtonElement>('.more-item:not(:disabled)') ?? []),
    ];
    items()[0]?.focus();
    const onKey = (e: KeyboardEvent) => {
      const list = items();
      const at = list.indexOf(document.activeElement as HTMLButtonElement);
      if (e.key === 'Escape') {
        setOpen(false);
        root.current?.querySelector<HTMLButtonElement>('[data-testid="more"]')?.focus();
      } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        const step = e.key === 'ArrowDown' ? 1 : -1;
        list[(at + step + list.length) % list.length]?.focus();
        e.preventDefault();
      } else return;
      e.stopPropagation();
    };
    window.addEventListener('pointerdown', onDown, true);
    window.addEventListener('keydown', onKey, true);
    return () => {
      window.removeEventListener('pointerdown', onDown, true);
      window.removeEventListener('keydown', onKey, true);
    };
  }, [open]);
  const shown = groups.filter((g) => g.length > 0);
  if (shown.length === 0) return null;
  return (
    <div className="more" ref={root}>
      <button
        type="button"
        className={`tb-btn${open ? ' active' : ''}`}
        data-testid="more"
        title="More commands"
        aria-label="More commands"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        <span className="tb-icon" aria-hidden>
          <Icon name="more" />
        </span>
      </button>
      {open && (
        <div className="more-menu" role="menu" data-testid="more-menu">
          {shown.map((group, i) => (
            <div className="more-group" role="group" key={i}>
              {group.map((a) => (
                <button
                  key={a.id}
                  type="button"
                  role="menuitem"
                  className="more-item"
                  data-testid={a.id}
                  title={a.title}
                  disabled={a.disabled}
                  onClick={() => {
                    setOpen(false);
                    a.onClick();
                  }}
                >
                  <span className="tb-icon" aria-hidden>
                    {a.icon}
                  </span>
                  <span className="more-label">{a.label}</span>
                </button>
              ))}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

/**
 * The top bar: file, edit, view and mode commands, each with its test id. What does not fit
 * at the window's width moves into the More menu; Run, Cancel and the shortcuts stay.
 */
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
  const tier = useTier();
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const running = runState !== undefined && isActiveRunState(runState);
  const file: Action[] = [
    {
      id: 'new',
      label: 'New',
      icon: <Icon name="new" />,
      title: 'Start a new, empty flow',
      onClick: () => void c.newFlow(),
      from: 'wide',
    },
    {
      id: 'open',
      label: 'Open',
      icon: <Icon name="open" />,
      title: 'Open a graph saved on the runtime',
      onClick: () => store.getState().setPanel('files'),
      from: 'medium',
    },
    {
      id: 'save',
      label: 'Save',
      icon: <Icon name="save" />,
      title: 'Save on the runtime (Ctrl+S)',
      onClick: () => void c.save(),
      from: 'medium',
    },
    {
      id: 'save-as',
      label: 'Save as',
      icon: <Icon name="saveAs" />,
      title: 'Save as a new graph (Ctrl+Shift+S)',
      onClick: () => void c.saveAs(),
      from: 'wide',
    },
    {
      id: 'import',
      label: 'Import',
      icon: <Icon name="import" />,
      title: 'Import a Reelflow or NoFlo FBP JSON file',
      onClick: () => importRef.current?.click(),
      from: 'wide',
    },
    {
      id: 'export',
      label: 'Export',
      icon: <Icon name="export" />,
      title: 'Download the graph as JSON',
      onClick: () => c.exportGraph('reelflow'),
      from: 'wide',
    },
  ];
  const edit: Action[] = [
    {
      id: 'undo',
      label: 'Undo',
      iconOnly: true,
      icon: <Icon name="undo" />,
      title: 'Undo (Ctrl+Z)',
      onClick: c.undo,
      disabled: !canUndo,
      from: 'always',
    },
    {
      id: 'redo',
      label: 'Redo',
      iconOnly: true,
      icon: <Icon name="redo" />,
      title: 'Redo (Ctrl+Shift+Z)',
      onClick: c.redo,
      disabled: !canRedo,
      from: 'always',
    },
    {
      id: 'layout',
      label: 'Layout',
      icon: <Icon name="layout" />,
      title: 'Auto-layout (L)',
      onClick: () => void c.layout(),
      from: 'medium',
    },
    {
      id: 'fit',
      label: 'Fit view',
      iconOnly: true,
      icon: <Icon name="fit" />,
      title: 'Fit view (F)',
      onClick: c.fitView,
      from: 'wide',
    },
  ];
  const analyse: Action[] = [
    {
      id: 'validate',
      label: errors ? `Validate · ${errors}` : 'Validate',
      icon: <Icon name="validate" />,
      title: 'Run every rule and the constraints (V)',
      onClick: c.validate,
      from: 'medium',
    },
    {
      id: 'simulate',
      label: 'Simulate',
      icon: <Icon name="simulate" />,
      title: 'Simulation mode (S)',
      onClick: c.toggleSimulate,
      active: mode === 'simulate',
      from: 'medium',
    },
    {
      id: 'step',
      label: 'Step',
      icon: <Icon name="step" />,
      title: 'Simulation: one step (.)',
      onClick: c.step,
      from: 'medium',
    },
  ];
  const execute: Action[] = [
    {
      id: 'run',
      label: 'Run',
      icon: <Icon name="play" />,
      title: 'Run on the runtime',
      onClick: () => void c.run.start(),
      primary: true,
      disabled: running,
      from: 'always',
    },
    {
      id: 'cancel',
      label: 'Cancel',
      icon: <Icon name="stop" />,
      title: 'Cancel the run',
      onClick: () => void c.run.cancel(),
      disabled: !running,
      from: 'always',
    },
    {
      id: 'shortcuts',
      label: 'Shortcuts',
      iconOnly: true,
      icon: <Icon name="help" />,
      title: 'Keyboard shortcuts (?)',
      onClick: c.help,
      from: 'always',
    },
  ];
  const bar = (actions: readonly Action[]) =>
    actions
      .filter((a) => onBar(a.from, tier))
      .map(({ from: _from, ...a }) => <Button key={a.id} {...a} />);
  const overflow = (actions: readonly Action[]) => actions.filter((a) => !onBar(a.from, tier));
  const fileBar = bar(file);
  const editBar = bar(edit);
  const analyseBar = bar(analyse);
  return (
    <header className={`toolbar tier-${tier}`}>
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
          ● <span className="dirty-text">unsaved</span>
        </span>
      )}
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
      {fileBar.length > 0 && <div className="tb-group tb-compact">{fileBar}</div>}
      {editBar.length > 0 && <div className="tb-group">{editBar}</div>}
      <div className="tb-spacer" />
      <div className="tb-group tb-end">
        {analyseBar}
        {bar(execute)}
        <MoreMenu groups={[overflow(file), overflow(edit), overflow(analyse)]} />
      </div>
    </header>
  );
}
