import type * as Monaco from 'monaco-editor/editor/editor.api';
import { OCL_KEYWORDS } from '@reelflow/semantics';

export const OCL_LANGUAGE = 'reelflow-ocl';

/** Syntax colouring of the OCL subset (CONTRACTS section 4) as a Monarch tokenizer. */
export function registerOcl(monaco: typeof Monaco): void {
  if (monaco.languages.getLanguages().some((l) => l.id === OCL_LANGUAGE)) return;
  monaco.languages.register({ id: OCL_LANGUAGE, extensions: ['.ocl'], aliases: ['OCL'] });
  monaco.languages.setLanguageConfiguration(OCL_LANGUAGE, {
    comments: { lineComment: '--' },
    brackets: [
      ['(', ')'],
      ['{', '}'],
    ],
    autoClosingPairs: [
      { open: '(', close: ')' },
      { open: "'", close: "'" },
    ],
  });
  monaco.languages.setMonarchTokensProvider(OCL_LANGUAGE, {
    keywords: [...OCL_KEYWORDS, 'self'],
    severities: ['error', 'warning', 'info'],
    contexts: ['Node', 'Edge', 'Graph', 'Port'],
    operations: [
      'size',
      'isEmpty',
      'notEmpty',
      'forAll',
      'exists',
      'select',
      'reject',
      'collect',
      'includes',
      'excludes',
      'isUnique',
      'asSet',
      'sum',
      'closure',
      'oclIsUndefined',
      'any',
      'one',
    ],
    tokenizer: {
      root: [
        [/--.*$/, 'comment'],
        [/'([^'\\]|\\.)*'/, 'string'],
        [/\d+(\.\d+)?/, 'number'],
        [/->\s*[a-zA-Z]+/, 'keyword.operation'],
        [
          /[a-zA-Z_]\w*/,
          {
            cases: {
              '@keywords': 'keyword',
              '@severities': 'type.severity',
              '@contexts': 'type',
              '@operations': 'keyword.operation',
              '@default': 'identifier',
            },
          },
        ],
        [/<>|<=|>=|[=<>+\-*/|]/, 'operator'],
        [/[()[\]{},.:]/, 'delimiter'],
      ],
    },
  } as Monaco.languages.IMonarchLanguage);
}

/** `source:line:column: message` (the OCL parser's format) → a marker position. */
export function positionOf(message: string): { line: number; column: number } | undefined {
  const m = /:(\d+):(\d+):/.exec(message);
  return m ? { line: Number(m[1]), column: Number(m[2]) } : undefined;
}
