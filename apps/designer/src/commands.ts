import type { ReactFlowInstance } from '@xyflow/react';
import { createContext, useContext } from 'react';
import { anchorsOf, layoutGraph } from './canvas/layout.js';
import { routesOf } from './canvas/routes.js';
import type { FileCommands } from './files/files.js';
import type { RunController } from './run/run-controller.js';
import type { SimController } from './sim/sim-controller.js';
import type { DesignerStore } from './store/store.js';

/** Every user command, shared by the toolbar, the keyboard shortcuts and the menus. */
export interface Commands extends FileCommands {
  undo(): void;
  redo(): void;
  deleteSelection(): void;
  copy(): void;
  paste(): void;
  duplicate(): void;
  selectAll(): void;
  layout(): Promise<void>;
  fitView(): void;
  validate(): void;
  toggleSimulate(): void;
  step(): void;
  stepBack(): void;
  toggleBreakpoint(): void;
  help(): void;
  escape(): void;
  readonly sim: SimController;
  readonly run: RunController;
}

export interface CommandDeps {
  readonly store: DesignerStore;
  readonly flow: ReactFlowInstance;
  readonly sim: SimController;
  readonly run: RunController;
  readonly files: FileCommands;
}

/** Build the command set over one store and one React Flow instance. */
export function createCommands({ store, flow, sim, run, files }: CommandDeps): Commands {
  const s = () => store.getState();
  const fitView = () => void flow.fitView({ padding: 0.08, duration: 250, maxZoom: 1.2 });
  return {
    ...files,
    sim,
    run,
    undo: () => s().undo(),
    redo: () => s().redo(),
    deleteSelection: () => s().deleteSelection(),
    copy: () => s().copy(),
    paste: () => s().paste(),
    duplicate: () => {
      s().copy();
      s().paste();
    },
    selectAll: () => s().selectAll(),
    async layout() {
      const { graph, library, measured, dispatch, notify } = s();
      try {
        const laid = await layoutGraph(graph, library, measured, (id) =>
          anchorsOf(flow.getInternalNode(id)),
        );
        dispatch(laid.moves);
        routesOf(store).setState(laid.routes, true);
        // Fitted once the moved nodes are drawn (the canvas waits for that), so all are in view.
        s().requestFit();
      } catch (err) {
        notify('error', `Layout failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
    fitView,
    validate() {
      const diagnostics = s().validateAll();
      const errors = diagnostics.filter((d) => d.severity === 'error').length;
      s().notify(
        errors ? 'error' : 'success',
        errors ? `${errors} error(s) found` : 'The graph is valid',
      );
    },
    toggleSimulate: () => (s().mode === 'simulate' ? sim.stop() : sim.start()),
    step: () => sim.step(),
    stepBack: () => sim.back(),
    toggleBreakpoint: () => {
      for (const id of s().selectedNodes) sim.toggleBreakpoint(id);
    },
    help: () => s().setHelp(!s().helpOpen),
    escape: () => {
      if (s().helpOpen) s().setHelp(false);
      else s().select([], []);
    },
  };
}

export const CommandsContext = createContext<Commands | null>(null);

export function useCommands(): Commands {
  const commands = useContext(CommandsContext);
  if (!commands) throw new Error('useCommands must be used inside <CommandsContext.Provider>');
  return commands;
}
