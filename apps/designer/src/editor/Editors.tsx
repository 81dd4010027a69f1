import Editor, { type OnMount } from '@monaco-editor/react';
import { GraphSchema, parseGraph, serializeGraph, type Diagnostic } from '@reelflow/fbp-model';
import { parseConstraints } from '@reelflow/semantics';
import { useEffect, useMemo, useRef, useState } from 'react';
import { z } from 'zod';
import { elementKey } from '../model/issues.js';
import { selectConstraints, selectDiagnostics, selectGraph } from '../store/selectors.js';
import { useDesigner, useDesignerStore } from '../store/store.js';
import { jsonDefaults, monaco } from './monaco-setup.js';
import { OCL_LANGUAGE, positionOf } from './ocl-language.js';

type CodeEditor = Parameters<OnMount>[0];
const GRAPH_URI = 'inmemory://reelflow/graph.reelflow.json';

// Monaco's JSON service checks the document against the graph schema itself, so schema
// errors appear as markers exactly where they are.
jsonDefaults.setDiagnosticsOptions({
  validate: true,
  allowComments: false,
  schemaValidation: 'error',
  schemas: [
    {
      uri: 'inmemory://reelflow/graph.schema.json',
      fileMatch: ['*.reelflow.json'],
      schema: z.toJSONSchema(GraphSchema, { io: 'input' }),
    },
  ],
});

const severityOf = (d: Diagnostic) =>
  d.severity === 'error'
    ? monaco.MarkerSeverity.Error
    : d.severity === 'warning'
      ? monaco.MarkerSeverity.Warning
      : monaco.MarkerSeverity.Info;

/** Semantic diagnostics as markers on the line that declares their element's id. */
function semanticMarkers(text: string, diagnostics: readonly Diagnostic[]) {
  const lines = text.split('\n');
  return diagnostics.flatMap((d) => {
    const id = elementKey(d);
    const needle = id === undefined ? undefined : `"id": ${JSON.stringify(id)}`;
    const index = needle ? lines.findIndex((l) => l.includes(needle)) : 0;
    if (index < 0) return [];
    const line = lines[index] ?? '';
    return [
      {
        severity: severityOf(d),
        message: `${d.message} (${d.code})`,
        startLineNumber: index + 1,
        startColumn: line.length - line.trimStart().length + 1,
        endLineNumber: index + 1,
        endColumn: line.length + 1,
      },
    ];
  });
}

const editorOptions = {
  minimap: { enabled: false },
  fontSize: 12.5,
  lineNumbersMinChars: 3,
  scrollBeyondLastLine: false,
  automaticLayout: true,
  tabSize: 2,
  renderLineHighlight: 'none' as const,
};

/** The graph as JSON; valid edits go back to the canvas, schema errors show as markers. */
export function JsonEditor() {
  const store = useDesignerStore();
  const graph = useDesigner(selectGraph);
  const diagnostics = useDesigner(selectDiagnostics);
  const editorRef = useRef<CodeEditor | null>(null);
  const [status, setStatus] = useState<string | undefined>();
  const [markers, setMarkers] = useState(0);
  const text = useMemo(() => serializeGraph(graph), [graph]);

  // Count every marker on the document (schema and semantic) for the status line.
  useEffect(() => {
    const sub = monaco.editor.onDidChangeMarkers((uris) => {
      const model = editorRef.current?.getModel();
      if (model && uris.some((u) => u.toString() === model.uri.toString())) {
        setMarkers(monaco.editor.getModelMarkers({ resource: model.uri }).length);
      }
    });
    return () => sub.dispose();
  }, []);
  const timer = useRef<number | undefined>(undefined);

  // Canvas edits flow into the editor unless the user is typing in it.
  useEffect(() => {
    const editor = editorRef.current;
    if (!editor || editor.hasTextFocus() || editor.getValue() === text) return;
    editor.setValue(text);
  }, [text]);

  useEffect(() => {
    const model = editorRef.current?.getModel();
    if (model)
      monaco.editor.setModelMarkers(
        model,
        'reelflow',
        semanticMarkers(model.getValue(), diagnostics),
      );
  }, [diagnostics, text]);

  const onChange = (value: string | undefined) => {
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      const parsed = parseGraph(value ?? '');
      if (!parsed.graph) {
        setStatus(parsed.syntaxError ?? parsed.diagnostics[0]?.message ?? 'not a graph');
        return;
      }
      setStatus(undefined);
      const current = store.getState().graph;
      if (serializeGraph(parsed.graph) !== serializeGraph(current)) {
        store.getState().dispatch([{ kind: 'replace-graph', graph: parsed.graph }]);
      }
    }, 350);
  };

  return (
    <div className="code-panel" data-testid="json-editor">
      <Editor
        height="100%"
        language="json"
        path={GRAPH_URI}
        defaultValue={text}
        options={editorOptions}
        onMount={(editor) => {
          editorRef.current = editor;
        }}
        onChange={onChange}
      />
      <div
        className={`code-status${status ? ' error' : ''}`}
        data-testid="json-status"
        data-markers={markers}
      >
        {status ?? 'In sync with the canvas'}
        {markers > 0 && <span className="muted"> · {markers} marker(s) in the document</span>}
      </div>
    </div>
  );
}

const OCL_EXAMPLE = `-- Project constraints (OCL subset). Checked by Validate and before Run.
context encode inv crfRange warning 'CRF above 30 looks blurry': self.params.crf <= 30
`;

/** The project's constraints in the OCL subset, with syntax colouring and syntax markers. */
export function OclEditor() {
  const store = useDesignerStore();
  const constraints = useDesigner(selectConstraints);
  const editorRef = useRef<CodeEditor | null>(null);
  const [problems, setProblems] = useState<readonly Diagnostic[]>([]);

  const check = (text: string) => {
    const parsed = parseConstraints(text, { source: 'project.ocl' });
    setProblems(parsed.diagnostics);
    const model = editorRef.current?.getModel();
    if (!model) return;
    monaco.editor.setModelMarkers(
      model,
      'ocl',
      parsed.diagnostics.map((d) => {
        const pos = positionOf(d.message) ?? { line: 1, column: 1 };
        return {
          severity: monaco.MarkerSeverity.Error,
          message: d.message,
          startLineNumber: pos.line,
          startColumn: pos.column,
          endLineNumber: pos.line,
          endColumn: pos.column + 1,
        };
      }),
    );
  };

  return (
    <div className="code-panel" data-testid="ocl-editor">
      <Editor
        height="100%"
        language={OCL_LANGUAGE}
        path="inmemory://reelflow/project.ocl"
        defaultValue={constraints || OCL_EXAMPLE}
        options={editorOptions}
        onMount={(editor) => {
          editorRef.current = editor;
          const text = editor.getValue();
          store.getState().setConstraints(text);
          check(text);
        }}
        onChange={(value) => {
          store.getState().setConstraints(value ?? '');
          check(value ?? '');
        }}
      />
      <div className={`code-status${problems.length ? ' error' : ''}`} data-testid="ocl-status">
        {problems.length
          ? problems[0]!.message
          : 'Constraints parse · Validate evaluates them on the graph'}
      </div>
    </div>
  );
}
