import type {
  BinaryOp,
  CollectionLiteral,
  Constraint,
  ConstraintSeverity,
  Expr,
  MessagePart,
  RangePart,
  SourcePosition,
} from './ast.js';
import { LineMap, tokenize, type Token } from './lexer.js';

/** A syntax error with the place it was found. */
export interface SyntaxProblem {
  readonly message: string;
  readonly pos: SourcePosition;
}

export interface ParseOutput {
  readonly constraints: Constraint[];
  readonly problems: SyntaxProblem[];
}

/** Thrown inside the parser only; caught per constraint so one error hides nothing else. */
class ParseError extends Error {
  constructor(
    message: string,
    readonly pos: SourcePosition,
  ) {
    super(message);
  }
}

// Deep nesting would overflow the stack of a recursive-descent parser; refuse it politely.
const MAX_NESTING = 200;
/** Deepest expression tree the type checker and evaluator are asked to walk. */
const MAX_DEPTH = 1_000;

const COLLECTION_KINDS: ReadonlySet<string> = new Set(['Set', 'OrderedSet', 'Bag', 'Sequence']);

const SEVERITIES: ReadonlySet<string> = new Set(['error', 'warning', 'info']);

/**
 * Binary operators from loosest to tightest binding, as OCL 2.4 section 9.3.2 orders them
 * (`xor` looser than `or`); all are left-associative.
 */
const PRECEDENCE: readonly (readonly BinaryOp[])[] = [
  ['implies'],
  ['xor'],
  ['or'],
  ['and'],
  ['=', '<>'],
  ['<', '<=', '>', '>='],
  ['+', '-'],
  ['*', '/'],
];

/** Collection operations whose argument is a body evaluated per element. */
export const ITERATOR_OPS = new Set([
  'forAll',
  'exists',
  'select',
  'reject',
  'collect',
  'isUnique',
  'closure',
  'any',
  'one',
]);

const describe = (t: Token): string =>
  t.kind === 'eof'
    ? 'end of file'
    : t.kind === 'string'
      ? `'${t.text}'`
      : t.kind === 'error'
        ? t.text
        : `'${t.text}'`;

class Parser {
  private i = 0;
  private depth = 0;
  private readonly depths = new WeakMap<Expr, number>();

  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
    private readonly lines: LineMap,
  ) {}

  parseFile(): ParseOutput {
    const constraints: Constraint[] = [];
    const problems: SyntaxProblem[] = [];
    while (this.peek().kind !== 'eof') {
      const start = this.i;
      try {
        constraints.push(...this.parseContext(problems));
      } catch (err) {
        if (!(err instanceof ParseError)) throw err;
        problems.push({ message: err.message, pos: err.pos });
        this.recover('context', start);
      }
    }
    return { constraints, problems };
  }

  /** `context X (inv ...)+`; an error in one invariant skips to the next `inv` or `context`. */
  private parseContext(problems: SyntaxProblem[]): Constraint[] {
    this.expectKeyword('context');
    const context = this.expectIdent('a node type, Node, Edge, Port or Graph after context').text;
    if (!this.isKeyword('inv')) throw this.error(`expected 'inv' after 'context ${context}'`);
    const out: Constraint[] = [];
    while (this.isKeyword('inv')) {
      const start = this.i;
      try {
        out.push(this.parseInvariant(context, out.length));
      } catch (err) {
        if (!(err instanceof ParseError)) throw err;
        problems.push({ message: err.message, pos: err.pos });
        this.recover('inv', start);
      }
    }
    return out;
  }

  private parseInvariant(context: string, index: number): Constraint {
    const start = this.next();
    let name: string | undefined;
    let severity: ConstraintSeverity = 'error';
    if (this.peek().kind === 'ident' && !this.isSeverityHere()) name = this.parseName();
    if (this.isSeverityHere()) severity = this.next().text as ConstraintSeverity;
    let message: MessagePart[] | undefined;
    if (this.peek().kind === 'string') message = this.parseMessage(this.next());
    this.expectPunct(':');
    const body = this.parseExpr();
    this.expectConstraintEnd();
    return {
      context,
      name: name ?? `${context}-inv-${index + 1}`,
      severity,
      message,
      body,
      pos: start.pos,
      source: this.source,
    };
  }

  /** After a body comes the next invariant, the next context, or the end. */
  private expectConstraintEnd(): void {
    const t = this.peek();
    if (t.kind === 'eof' || this.isKeyword('inv') || this.isKeyword('context')) return;
    if (t.kind === 'error') this.next(); // throws the lexer's own message
    throw this.error(`unexpected ${describe(t)} after the expression (a missing operator?)`);
  }

  /** A severity word in severity position: followed by a message or the colon. */
  private isSeverityHere(): boolean {
    const t = this.peek();
    const after = this.tokens[this.i + 1];
    return (
      t.kind === 'ident' &&
      SEVERITIES.has(t.text) &&
      (after?.kind === 'string' || (after?.kind === 'punct' && after.text === ':'))
    );
  }

  /** Constraint names may contain hyphens (`split-merge-mismatch`) when written without spaces. */
  private parseName(): string {
    let tok = this.next();
    let name = tok.text;
    for (;;) {
      const dash = this.peek();
      const part = this.tokens[this.i + 1];
      const adjacent = dash.text === '-' && dash.kind === 'punct' && dash.pos.offset === tok.end;
      if (
        !adjacent ||
        !part ||
        (part.kind !== 'ident' && part.kind !== 'keyword') ||
        part.pos.offset !== dash.end
      )
        break;
      this.i += 2;
      name += `-${part.text}`;
      tok = part;
    }
    return name;
  }

  /** Split a message into text and `{expression}` parts, parsing each expression. */
  private parseMessage(tok: Token): MessagePart[] {
    const parts: MessagePart[] = [];
    const value = tok.text;
    let at = 0;
    while (at < value.length) {
      const open = value.indexOf('{', at);
      if (open < 0) break;
      const close = closingBrace(value, open);
      if (close < 0)
        throw new ParseError(
          "unclosed '{' in message",
          this.lines.position((tok.valueOffset ?? 0) + open),
        );
      if (open > at) parts.push(value.slice(at, open));
      parts.push(
        this.parseEmbedded(value.slice(open + 1, close), (tok.valueOffset ?? 0) + open + 1),
      );
      at = close + 1;
    }
    if (at < value.length) parts.push(value.slice(at));
    return parts;
  }

  private parseEmbedded(exprText: string, offset: number): Expr {
    // Lex the fragment in place (padding keeps offsets), so errors point into the file.
    const padded = ' '.repeat(offset) + exprText;
    const tokens = tokenize(padded, this.lines).filter((t) => t.pos.offset >= offset);
    const inner = new Parser(tokens, this.source, this.lines);
    const expr = inner.parseExpr();
    if (inner.peek().kind !== 'eof')
      throw inner.error(`unexpected ${describe(inner.peek())} in message expression`);
    return expr;
  }

  parseExpr(): Expr {
    if (++this.depth > MAX_NESTING)
      throw this.error(`expression nested deeper than ${MAX_NESTING} levels`);
    try {
      return this.parseBinary(0);
    } finally {
      this.depth--;
    }
  }

  private parseBinary(level: number): Expr {
    const ops = PRECEDENCE[level];
    if (!ops) return this.parseUnary();
    let left = this.parseBinary(level + 1);
    for (;;) {
      const t = this.peek();
      const op = ops.find((o) => t.text === o && (t.kind === 'punct' || t.kind === 'keyword'));
      if (!op) return left;
      this.next();
      const right = this.parseBinary(level + 1);
      left = this.made({ kind: 'binary', op, left, right, pos: t.pos }, left, right);
    }
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (this.isKeyword('not') || (t.kind === 'punct' && t.text === '-')) {
      this.next();
      if (++this.depth > MAX_NESTING)
        throw this.error(`expression nested deeper than ${MAX_NESTING} levels`);
      try {
        const operand = this.parseUnary();
        return this.made(
          { kind: 'unary', op: t.text === 'not' ? 'not' : '-', operand, pos: t.pos },
          operand,
        );
      } finally {
        this.depth--;
      }
    }
    return this.parsePostfix(this.parsePrimary());
  }

  private parsePostfix(expr: Expr): Expr {
    for (;;) {
      const t = this.peek();
      if (t.kind === 'punct' && t.text === '.') {
        this.next();
        const name = this.expectIdent('a property or operation name after "."');
        if (this.isPunct('(')) {
          const args = this.parseArgs();
          expr = this.made(
            { kind: 'operation', source: expr, name: name.text, args, pos: name.pos },
            expr,
            ...args,
          );
        } else {
          expr = this.made(
            { kind: 'property', source: expr, name: name.text, pos: name.pos },
            expr,
          );
        }
      } else if (t.kind === 'punct' && t.text === '->') {
        this.next();
        expr = this.parseArrow(expr);
      } else {
        return expr;
      }
    }
  }

  private parseArrow(source: Expr): Expr {
    const name = this.expectIdent('a collection operation after "->"');
    this.expectPunct('(');
    if (ITERATOR_OPS.has(name.text)) {
      const iterators = this.iteratorDeclarations();
      if (iterators.length > 1 && name.text !== 'forAll' && name.text !== 'exists')
        throw new ParseError(
          `only forAll and exists take several iterators, not ${name.text}`,
          name.pos,
        );
      const body = this.parseExpr();
      this.expectPunct(')');
      // `c->forAll(x, y | b)` is `c->forAll(x | c->forAll(y | b))`.
      let expr: Expr = body;
      for (let k = Math.max(iterators.length, 1) - 1; k >= 0; k--) {
        expr = this.made(
          {
            kind: 'iterator',
            source,
            name: name.text,
            iterator: iterators[k],
            body: expr,
            pos: name.pos,
          },
          source,
          expr,
        );
      }
      return expr;
    }
    const args = this.parseArgList();
    return this.made(
      { kind: 'collection', source, name: name.text, args, pos: name.pos },
      source,
      ...args,
    );
  }

  /** `x |`, `x : T |`, `x, y |`: the iterator names, or none for the implicit form. */
  private iteratorDeclarations(): string[] {
    const start = this.i;
    const names: string[] = [];
    for (;;) {
      if (this.peek().kind !== 'ident') break;
      const name = this.next();
      if (this.isPunct(':')) {
        // `x : T` is a declaration; anything else after a name is the body itself.
        this.typeAnnotation();
      }
      names.push(name.text);
      if (this.isPunct('|')) {
        this.next();
        return names;
      }
      if (!this.isPunct(',')) break;
      this.next();
    }
    this.i = start;
    return [];
  }

  private parseArgs(): Expr[] {
    this.expectPunct('(');
    return this.parseArgList();
  }

  /** Arguments after the opening parenthesis, through the closing one. */
  private parseArgList(): Expr[] {
    const args: Expr[] = [];
    if (this.isPunct(')')) {
      this.next();
      return args;
    }
    for (;;) {
      args.push(this.parseExpr());
      if (this.isPunct(',')) {
        this.next();
        continue;
      }
      this.expectPunct(')');
      return args;
    }
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'number':
        this.next();
        // An Integer literal has neither fraction nor exponent, and any number of digits.
        return {
          kind: 'literal',
          value: /[.eE]/.test(t.text) ? Number(t.text) : BigInt(t.text),
          pos: t.pos,
        };
      case 'string':
        this.next();
        return { kind: 'literal', value: t.text, pos: t.pos };
      case 'ident':
        return this.parseIdentPrimary();
      case 'keyword':
        return this.parseKeywordPrimary(t);
      case 'punct':
        if (t.text === '(') {
          this.next();
          const inner = this.parseExpr();
          this.expectPunct(')');
          return inner;
        }
        break;
      case 'error':
        this.next(); // throws the lexer's own message
        break;
      default:
        break;
    }
    throw this.error(`expected an expression but found ${describe(t)}`);
  }

  private parseIdentPrimary(): Expr {
    const t = this.next();
    if (COLLECTION_KINDS.has(t.text) && this.isPunct('{')) {
      this.next();
      const items: (Expr | RangePart)[] = [];
      const children: Expr[] = [];
      while (!this.isPunct('}')) {
        const first = this.parseExpr();
        children.push(first);
        if (this.isPunct('..')) {
          const dots = this.next();
          const last = this.parseExpr();
          children.push(last);
          items.push({ kind: 'range', first, last, pos: dots.pos });
        } else {
          items.push(first);
        }
        if (!this.isPunct(',')) break;
        this.next();
      }
      this.expectPunct('}');
      return this.made(
        {
          kind: 'collectionLiteral',
          collectionKind: t.text as CollectionLiteral['collectionKind'],
          items,
          pos: t.pos,
        },
        ...children,
      );
    }
    return { kind: 'var', name: t.text, pos: t.pos };
  }

  /**
   * A type after `:` in a `let` or an iterator (`Integer`, `Set(String)`), as written, or
   * undefined when there is none. Values carry their own types; a `let`'s declared type
   * only tells a null collection from a null object (see the evaluator).
   */
  private typeAnnotation(): string | undefined {
    if (!this.isPunct(':')) return undefined;
    this.next();
    let text = this.expectIdent('a type name after ":"').text;
    if (this.isPunct('(')) {
      this.next();
      text += '(';
      let depth = 1;
      while (depth > 0 && this.peek().kind !== 'eof') {
        const t = this.next();
        if (t.kind === 'punct' && t.text === '(') depth++;
        else if (t.kind === 'punct' && t.text === ')') depth--;
        text += t.text;
      }
    }
    return text;
  }

  private parseKeywordPrimary(t: Token): Expr {
    switch (t.text) {
      case 'true':
      case 'false':
        this.next();
        return { kind: 'literal', value: t.text === 'true', pos: t.pos };
      case 'null':
        this.next();
        return { kind: 'literal', value: null, pos: t.pos };
      case 'invalid':
        this.next();
        return { kind: 'invalid', pos: t.pos };
      case 'if': {
        this.next();
        const cond = this.parseExpr();
        this.expectKeyword('then');
        const then = this.parseExpr();
        this.expectKeyword('else');
        const otherwise = this.parseExpr();
        this.expectKeyword('endif');
        return this.made(
          { kind: 'if', cond, then, else: otherwise, pos: t.pos },
          cond,
          then,
          otherwise,
        );
      }
      case 'let': {
        // `let a : T = x, b = y in body` is read as nested lets, each seeing the ones before.
        this.next();
        const bindings: {
          name: string;
          value: Expr;
          pos: SourcePosition;
          declaredType?: string;
        }[] = [];
        for (;;) {
          const name = this.expectIdent('a variable name after let');
          const declaredType = this.typeAnnotation();
          this.expectPunct('=');
          bindings.push({
            name: name.text,
            value: this.parseExpr(),
            pos: name.pos,
            ...(declaredType ? { declaredType } : {}),
          });
          if (!this.isPunct(',')) break;
          this.next();
        }
        this.expectKeyword('in');
        let body = this.parseExpr();
        for (let k = bindings.length - 1; k >= 0; k--) {
          const b = bindings[k] as (typeof bindings)[number];
          body = this.made(
            {
              kind: 'let',
              name: b.name,
              value: b.value,
              body,
              pos: k === 0 ? t.pos : b.pos,
              ...(b.declaredType ? { declaredType: b.declaredType } : {}),
            },
            b.value,
            body,
          );
        }
        return body;
      }
      default:
        throw this.error(`expected an expression but found ${describe(t)}`);
    }
  }

  /**
   * Record a new node's depth. A flat chain (`a and b and ...`, `self.id.id...`) is read in a
   * loop but builds a tree as deep as it is long, and the type checker and evaluator recurse
   * over trees: refuse one deeper than they can safely walk.
   */
  private made<T extends Expr>(expr: T, ...children: Expr[]): T {
    let deepest = 0;
    for (const child of children) deepest = Math.max(deepest, this.depths.get(child) ?? 1);
    if (deepest + 1 > MAX_DEPTH) {
      throw new ParseError(
        `expression deeper than ${MAX_DEPTH} levels; split it with let or into several constraints`,
        expr.pos,
      );
    }
    this.depths.set(expr, deepest + 1);
    return expr;
  }

  // ---- token helpers ----

  private peek(): Token {
    return this.tokens[this.i] ?? (this.tokens[this.tokens.length - 1] as Token);
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind === 'error')
      // One character the lexer could not place, or its own message.
      throw new ParseError(t.text.length > 1 ? t.text : `unexpected character '${t.text}'`, t.pos);
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  private isKeyword(word: string): boolean {
    const t = this.peek();
    return t.kind === 'keyword' && t.text === word;
  }

  private isPunct(p: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === p;
  }

  private expectKeyword(word: string): Token {
    if (!this.isKeyword(word))
      throw this.error(`expected '${word}' but found ${describe(this.peek())}`);
    return this.next();
  }

  private expectPunct(p: string): Token {
    if (!this.isPunct(p)) throw this.error(`expected '${p}' but found ${describe(this.peek())}`);
    return this.next();
  }

  private expectIdent(what: string): Token {
    if (this.peek().kind !== 'ident')
      throw this.error(`expected ${what} but found ${describe(this.peek())}`);
    return this.next();
  }

  /** The whole text must have been read. */
  expectEnd(): void {
    const t = this.peek();
    if (t.kind === 'error') this.next();
    if (t.kind !== 'eof') throw this.error(`unexpected ${describe(t)} after the expression`);
  }

  error(message: string): ParseError {
    return new ParseError(message, this.peek().pos);
  }

  /** Skip past the broken part to the next token that can start over. */
  private recover(until: 'context' | 'inv', start: number): void {
    // Always move on at least one token, so a bad token cannot loop forever.
    if (this.i === start || this.peek().kind === 'error') this.i++;
    while (
      this.peek().kind !== 'eof' &&
      !this.isKeyword('context') &&
      !(until === 'inv' && this.isKeyword('inv'))
    ) {
      this.i++;
    }
  }
}

/**
 * Index of the `}` that closes the `{` at `open`, skipping nested braces (`Set{...}`) and
 * quoted strings; -1 when there is none.
 */
function closingBrace(text: string, open: number): number {
  let depth = 0;
  let quoted = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === "'") quoted = !quoted;
    else if (quoted) continue;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

/**
 * Parse one expression on its own (no `context`/`inv`), as the conformance suite and tools
 * need; a syntax problem is returned, not thrown.
 */
export function parseExpression(text: string): { expr?: Expr; problem?: SyntaxProblem } {
  const lines = new LineMap(text);
  const parser = new Parser(tokenize(text, lines), 'expression', lines);
  try {
    const expr = parser.parseExpr();
    parser.expectEnd();
    return { expr };
  } catch (err) {
    if (err instanceof ParseError) return { problem: { message: err.message, pos: err.pos } };
    throw err;
  }
}

/** Parse a constraint file into invariants and syntax problems (never throws). */
export function parseOcl(text: string, source: string): ParseOutput {
  const lines = new LineMap(text);
  return new Parser(tokenize(text, lines), source, lines).parseFile();
}
