/** A place in a constraint file, 1-based, as people count lines and columns. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
  /** 0-based character offset into the file. */
  readonly offset: number;
}

/** `line:column` as it appears in messages. */
export const formatPosition = (pos: SourcePosition): string => `${pos.line}:${pos.column}`;

interface At {
  readonly pos: SourcePosition;
}

export type Literal = At & {
  readonly kind: 'literal';
  /** Integer literals are `bigint` (any size), Real literals `number`. */
  readonly value: null | boolean | bigint | number | string;
};
/** The literal `invalid`. */
export type InvalidLiteral = At & { readonly kind: 'invalid' };
export type VariableRef = At & { readonly kind: 'var'; readonly name: string };
export type PropertyCall = At & {
  readonly kind: 'property';
  readonly source: Expr;
  readonly name: string;
};
/** `source.name(args)`: an operation on a single value (`size()`, `oclIsUndefined()`). */
export type OperationCall = At & {
  readonly kind: 'operation';
  readonly source: Expr;
  readonly name: string;
  readonly args: readonly Expr[];
};
/** `source->name(args)`: a collection operation without an iterator. */
export type CollectionCall = At & {
  readonly kind: 'collection';
  readonly source: Expr;
  readonly name: string;
  readonly args: readonly Expr[];
};
/** `source->name(x | body)`; `iterator` is undefined for the implicit form `->collect(type)`. */
export type IteratorCall = At & {
  readonly kind: 'iterator';
  readonly source: Expr;
  readonly name: string;
  readonly iterator: string | undefined;
  readonly body: Expr;
};
export type Unary = At & {
  readonly kind: 'unary';
  readonly op: 'not' | '-';
  readonly operand: Expr;
};
export type BinaryOp =
  'and' | 'or' | 'xor' | 'implies' | '=' | '<>' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/';
export type Binary = At & {
  readonly kind: 'binary';
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
};
export type IfExpr = At & {
  readonly kind: 'if';
  readonly cond: Expr;
  readonly then: Expr;
  readonly else: Expr;
};
export type LetExpr = At & {
  readonly kind: 'let';
  readonly name: string;
  /** The declared type as written (`Integer`, `Set(String)`), if any. */
  readonly declaredType?: string;
  readonly value: Expr;
  readonly body: Expr;
};
/** `first..last` inside a collection literal: the Integers from first to last. */
export type RangePart = At & { readonly kind: 'range'; readonly first: Expr; readonly last: Expr };
/** `Set{a, b}`, `Sequence{1..5}`, `Bag{}`, `OrderedSet{}`. */
export type CollectionLiteral = At & {
  readonly kind: 'collectionLiteral';
  readonly collectionKind: 'Set' | 'OrderedSet' | 'Bag' | 'Sequence';
  readonly items: readonly (Expr | RangePart)[];
};

export type Expr =
  | Literal
  | InvalidLiteral
  | VariableRef
  | PropertyCall
  | OperationCall
  | CollectionCall
  | IteratorCall
  | Unary
  | Binary
  | IfExpr
  | LetExpr
  | CollectionLiteral;

/** A piece of a constraint message: text, or an `{expression}` filled in on violation. */
export type MessagePart = string | Expr;

export type ConstraintSeverity = 'error' | 'warning' | 'info';

/** The element kinds a constraint can be written for, besides a node type name. */
export const METAMODEL_CONTEXTS = ['Node', 'Edge', 'Graph', 'Port'] as const;

/** One invariant: `context X inv name severity 'message': body`. */
export interface Constraint {
  /** A node type name, or one of `Node`, `Edge`, `Graph`, `Port`. */
  readonly context: string;
  /** Reported as the diagnostic code when violated. */
  readonly name: string;
  readonly severity: ConstraintSeverity;
  /** The message template; undefined means a generated message. */
  readonly message: readonly MessagePart[] | undefined;
  readonly body: Expr;
  /** Where the constraint starts, and the file it came from. */
  readonly pos: SourcePosition;
  readonly source: string;
}
