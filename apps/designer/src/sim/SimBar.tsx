import { useCommands } from '../commands.js';
import { Icon } from '../panels/icons.js';
import { selectMode, selectSim } from '../store/selectors.js';
import { useDesigner } from '../store/store.js';
import { describeAssumptions } from './sim-view.js';

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
        <span
          className="muted sim-assumptions"
          data-testid="sim-assumptions"
          data-duration={sim.assumptions.durationSeconds}
          data-duration-source={sim.assumptions.durationSource}
          data-chunks={sim.assumptions.chunks}
          data-chunks-source={sim.assumptions.chunksSource}
          data-calibration={sim.assumptions.calibrationSource ?? 'reference'}
          title={sim.assumptions.calibrationSource}
        >
          Assumes {describeAssumptions(sim.assumptions)}
        </span>
        <div className="bar">
          <div className="bar-fill" style={{ width: `${progress * 100}%` }} />
        </div>
      </div>
      <label
        className="sim-setting"
        title={
          sim.assumptions.durationSource === 'upload'
            ? 'The uploaded input gives the length'
            : 'Length of the input video, in seconds'
        }
      >
        <span>Duration (s)</span>
        <input
          type="number"
          min={1}
          step="any"
          data-testid="sim-duration"
          disabled={sim.assumptions.durationSource === 'upload'}
          value={
            sim.assumptions.durationSource === 'upload'
              ? sim.assumptions.durationSeconds
              : (sim.durationField ?? '')
          }
          placeholder={String(sim.assumptions.durationSeconds)}
          onChange={(e) => {
            const text = e.target.value.trim();
            const n = Number(text);
            if (text === '') control.configure({ durationSeconds: undefined });
            else if (Number.isFinite(n) && n > 0) control.configure({ durationSeconds: n });
          }}
        />
      </label>
      <NumberSetting
        id="sim-chunks"
        label={sim.chunksOverride !== undefined ? 'Chunks (override)' : 'Chunks'}
        value={sim.chunks}
        onChange={(chunks) => control.configure({ chunks })}
      />
      {sim.chunksOverride !== undefined && (
        <button
          type="button"
          className="btn btn-small"
          data-testid="sim-chunks-follow"
          title="Take the chunk count from the split's settings again"
          onClick={() => control.configure({ chunks: undefined })}
        >
          Follow split
        </button>
      )}
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
