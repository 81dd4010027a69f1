import { isDirty } from '../files/document.js';
import type { DesignerState } from './store.js';

// Selectors live at module level so components subscribe with stable functions.
export const selectGraph = (s: DesignerState) => s.graph;
export const selectNodes = (s: DesignerState) => s.graph.nodes;
export const selectEdges = (s: DesignerState) => s.graph.edges;
export const selectLibrary = (s: DesignerState) => s.library;
export const selectSelectedNodes = (s: DesignerState) => s.selectedNodes;
export const selectSelectedEdges = (s: DesignerState) => s.selectedEdges;
export const selectMeasured = (s: DesignerState) => s.measured;
export const selectDiagnostics = (s: DesignerState) => s.diagnostics;
export const selectIssues = (s: DesignerState) => s.issues;
export const selectCanUndo = (s: DesignerState) => s.history.past.length > 0;
export const selectCanRedo = (s: DesignerState) => s.history.future.length > 0;
export const selectMode = (s: DesignerState) => s.mode;
export const selectPanel = (s: DesignerState) => s.panel;
export const selectHelpOpen = (s: DesignerState) => s.helpOpen;
export const selectNotice = (s: DesignerState) => s.notice;
export const selectConstraints = (s: DesignerState) => s.constraints;
export const selectSim = (s: DesignerState) => s.sim;
export const selectRun = (s: DesignerState) => s.run;
/** The shown run's state and id: for views that need no per-task progress. */
export const selectRunState = (s: DesignerState) => s.run?.state;
export const selectRunId = (s: DesignerState) => s.run?.runId;
export const selectFullyValidated = (s: DesignerState) => s.fullyValidated;

/** The single selected node's id, when exactly one is selected. */
export const selectFocusNode = (s: DesignerState): string | undefined =>
  s.selectedNodes.size === 1 ? s.selectedNodes.values().next().value : undefined;
export const selectFitRequest = (s: DesignerState) => s.fitRequest;
export const selectDialog = (s: DesignerState) => s.dialog;
export const selectDoc = (s: DesignerState) => s.doc;
/** Unsaved changes in the document. */
export const selectDirty = (s: DesignerState) => isDirty(s.graph, s.doc);
