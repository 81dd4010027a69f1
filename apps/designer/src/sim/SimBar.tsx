import { useCommands } from '../commands.js';
import { Icon } from '../panels/icons.js';
import { selectMode, selectSim } from '../store/selectors.js';
import { useDesigner } from '../store/store.js';

const formatSeconds = (s: number) =>
  s >= 60 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${s.toFixed(1)} s`;

function NumberSetting({
  id,
  label,
  value,
  onChange,
}: {
  id: string;
  label: string;
  value: number;
  onChange: (n: number) => void;
}) {
  return (
    <label className="sim-setting">
      <span>{label}</span>
      <input
        type="number"
        min={1}
        max={500}
        data-testid={id}
        value={value}
        onChange={(e) => {
          const n = Math.floor(Number(e.target.value));
          if (n >= 1) onChange(n);
        }}
      />
    </label>
  );
}

/** Simulation controls, shown over the canvas in simulation mode. */
export function SimBar() {
  const mode = useDesigner(selectMode);
  const sim = useDesigner(selectSim);
  const { sim: control } = useCommands();
  if (mode !== 'simulate' || !sim) return null;
  const progress = sim.total > 0 ? Math.min(1, sim.step / sim.total) : 0;
  return (
    <div className="simbar" data-testid="simbar">
      <div className="sim-buttons">
        <button
          type="button"
          className="icon-btn"
          data-testid="step-back"
          title="Step back (,)"
          onClick={control.back}
          disabled={sim.step === 0}
        >
          <Icon name="back" size={14} />
        </button>
        {sim.playing ? (
          <button
            type="button"
            className="icon-btn primary"
            data-testid="pause"
            title="Pause"
            onClick={control.pause}
          >
            <Icon name="pause" size={14} />
          </button>
        ) : (
          <button
            type="button"
            className="icon-btn primary"
            data-testid="play"
            title="Play"
            onClick={control.play}
          >
            <Icon name="play" size={14} />
          </button>
        )}
        <button
          type="button"
          className="icon-btn"
          data-testid="sim-step"
          title="Step (.)"
          onClick={control.step}
          disabled={sim.finished}
        >
          <Icon name="step" size={14} />
        </button>
        <button
          type="button"
          className="icon-btn"
          data-testid="sim-reset"
          title="Start over"
          onClick={control.reset}
        >
          <Icon name="reset" size={14} />
        </button>
      </div>
      <div className="sim-progress">
        <div className="sim-progress-text">
          <span
            data-testid="sim-status"
            data-step={sim.step}
            data-total={sim.total}
            data-finished={sim.finished}
            data-deadlock={sim.deadlock}
          >
            {sim.finished
              ? sim.deadlock
                ? 'Deadlocked'
                : 'Finished'
              : sim.hitBreakpoint
                ? `Breakpoint at ${sim.hitBreakpoint}`
                : `Step ${sim.step}`}{' '}
            · {sim.step}/{sim.total} firings
          </span>
          <span className="muted">
            t = {formatSeconds(sim.time)} · predicted makespan{' '}
            <b data-testid="makespan" data-seconds={sim.makespanSeconds}>
              {formatSeconds(sim.makespanSeconds)}
            </b>
          </span>
        </div>
        <div className="bar">
          <div className="bar-fill" style={{ width: `${progress * 100}%` }} />
        </div>
      </div>
      <NumberSetting
        id="sim-chunks"
        label="Chunks"
        value={sim.chunks}
        onChange={(chunks) => control.configure({ chunks })}
      />
      <NumberSetting
        id="sim-workers"
        label="Workers"
        value={sim.workers}
        onChange={(workers) => control.configure({ workers })}
      />
      <NumberSetting
        id="sim-cores"
        label="Cores"
        value={sim.cores}
        onChange={(cores) => control.configure({ cores })}
      />
      <button type="button" className="btn btn-small" onClick={control.stop}>
        Exit
      </button>
    </div>
  );
}
