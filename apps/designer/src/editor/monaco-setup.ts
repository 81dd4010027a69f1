import { loader } from '@monaco-editor/react';
// editor.main registers the editor's contributions (find, folding, suggest, hover…) and the
// languages; their heavy parts load lazily. Types come from editor.api, which it re-exports.
import 'monaco-editor/editor/editor.main';
import * as monaco from 'monaco-editor/editor/editor.api';
import { jsonDefaults } from 'monaco-editor/languages/features/json/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import JsonWorker from 'monaco-editor/languages/features/json/json.worker?worker';
import { registerOcl } from './ocl-language.js';

// Monaco is bundled: no CDN at run time. Workers are Vite worker chunks of the same origin.
self.MonacoEnvironment = {
  getWorker: (_workerId: string, label: string) =>
    label === 'json' ? new JsonWorker() : new EditorWorker(),
};

loader.config({ monaco: monaco as unknown as Parameters<typeof loader.config>[0]['monaco'] });
registerOcl(monaco);

export { jsonDefaults, monaco };
