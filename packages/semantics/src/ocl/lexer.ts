import type { SourcePosition } from './ast.js';

export type TokenKind = 'ident' | 'number' | 'string' | 'punct' | 'keyword' | 'eof' | 'error';

export interface Token {
  readonly kind: TokenKind;
  /** The token's text; for a string, its value without quotes. */
  readonly text: string;
  readonly pos: SourcePosition;
  /** Offset just after the token, to tell `inv a-b` (one name) from `a - b`. */
  readonly end: number;
  /** For a string token: offset of the first character of its value in the file. */
  readonly valueOffset?: number;
}

/** The reserved words of the OCL subset; editors and tests take them from here. */
export const OCL_KEYWORDS = [
  'context',
  'inv',
  'let',
  'in',
  'if',
  'then',
  'else',
  'endif',
  'and',
  'or',
  'xor',
  'not',
  'implies',
  'true',
  'false',
  'null',
  'invalid',
] as const;

export const KEYWORDS: ReadonlySet<string> = new Set(OCL_KEYWORDS);

// Longest first, so `->` wins over `-` and `<=` over `<`.
const PUNCTUATION = [
  '->',
  '..',
  '<>',
  '<=',
  '>=',
  '=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '.',
  ',',
  '(',
  ')',
  '|',
  ':',
  '{',
  '}',
];

const isIdentStart = (c: string): boolean => /[A-Za-z_]/.test(c);
const isIdentPart = (c: string): boolean => /[A-Za-z0-9_]/.test(c);
const isDigit = (c: string): boolean => c >= '0' && c <= '9';

/** Line and column of every offset, computed once per file. */
export class LineMap {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') this.starts.push(i + 1);
  }

  position(offset: number): SourcePosition {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.starts[lo] ?? 0) + 1, offset };
  }
}

/**
 * Split constraint text into tokens. Never throws: a character that starts no token, or
 * an unterminated string, becomes an `error` token the parser reports with its position.
 */
export function tokenize(text: string, lines: LineMap = new LineMap(text)): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, value: string, start: number, extra?: Partial<Token>): void => {
    tokens.push({ kind, text: value, pos: lines.position(start), end: i, ...extra });
  };
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
    } else if (text.startsWith('--', i)) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (isIdentStart(c)) {
      const start = i;
      while (i < text.length && isIdentPart(text[i] ?? '')) i++;
      const word = text.slice(start, i);
      push(KEYWORDS.has(word) ? 'keyword' : 'ident', word, start);
    } else if (isDigit(c)) {
      const start = i;
      while (isDigit(text[i] ?? '')) i++;
      // A fraction needs a digit after the dot, so `1..5` is a range and `1.max(2)` a call.
      if (text[i] === '.' && isDigit(text[i + 1] ?? '')) {
        i++;
        while (isDigit(text[i] ?? '')) i++;
      }
      // An exponent: `3.1e1`, `1E-3`.
      const sign = text[i + 1] === '+' || text[i + 1] === '-' ? 1 : 0;
      if ((text[i] === 'e' || text[i] === 'E') && isDigit(text[i + 1 + sign] ?? '')) {
        i += 1 + sign;
        while (isDigit(text[i] ?? '')) i++;
      }
      push('number', text.slice(start, i), start);
    } else if (c === "'") {
      lexString(text, i, lines, tokens);
      i = tokens[tokens.length - 1]?.end ?? text.length;
    } else {
      const start = i;
      const punct = PUNCTUATION.find((p) => text.startsWith(p, start));
      i += punct ? punct.length : 1;
      push(punct ? 'punct' : 'error', punct ?? c, start);
    }
  }
  tokens.push({ kind: 'eof', text: '', pos: lines.position(text.length), end: text.length });
  return tokens;
}

/** The escapes of OCL 2.4 (section 9.3): `\n \t \r \b \f \' \" \\`. */
const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  "'": "'",
  '"': '"',
  '\\': '\\',
};

/**
 * A quoted string: the escapes above, `\uXXXX`, and `''` for a quote (as in SQL; an
 * extension kept from before escapes were read).
 */
function lexString(text: string, start: number, lines: LineMap, tokens: Token[]): void {
  let i = start + 1;
  let value = '';
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') {
      const e = text[i + 1] ?? '';
      const hex = /^u[0-9a-fA-F]{4}/.exec(text.slice(i + 1, i + 6));
      if (hex) {
        value += String.fromCharCode(parseInt(hex[0].slice(1), 16));
        i += 6;
      } else if (e in ESCAPES) {
        value += ESCAPES[e];
        i += 2;
      } else {
        tokens.push({
          kind: 'error',
          text: `unknown escape '\\${e}' in a string (write '\\\\' for a backslash)`,
          pos: lines.position(i),
          end: i + 2,
        });
        return;
      }
    } else if (c === "'" && text[i + 1] === "'") {
      value += "'";
      i += 2;
    } else if (c === "'") {
      tokens.push({
        kind: 'string',
        text: value,
        pos: lines.position(start),
        end: i + 1,
        valueOffset: start + 1,
      });
      return;
    } else if (c === '\n') {
      break;
    } else {
      value += c;
      i++;
    }
  }
  tokens.push({ kind: 'error', text: 'unterminated string', pos: lines.position(start), end: i });
}
