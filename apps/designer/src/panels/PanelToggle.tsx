import { Icon } from './icons.js';
import type { PanelName } from './layout-prefs.js';

const NAMES: Record<PanelName, string> = { palette: 'node palette', side: 'side panel' };

/** The button that collapses a side panel to a rail, or expands it again. */
export function PanelToggle({
  panel,
  open,
  onToggle,
}: {
  panel: PanelName;
  open: boolean;
  onToggle: () => void;
}) {
  const left = panel === 'palette';
  const icon = open
    ? left
      ? 'collapseLeft'
      : 'collapseRight'
    : left
      ? 'expandLeft'
      : 'expandRight';
  const label = `${open ? 'Hide' : 'Show'} the ${NAMES[panel]}`;
  return (
    <button
      type="button"
      className="panel-toggle"
      data-testid={`toggle-${panel}`}
      aria-expanded={open}
      aria-label={label}
      title={label}
      onClick={onToggle}
    >
      <Icon name={icon} size={16} />
    </button>
  );
}
