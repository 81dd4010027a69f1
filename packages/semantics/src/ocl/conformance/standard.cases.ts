import type { EclipseCase } from './cases.js';

/**
 * Cases written here from the standard's own text, in the case format of the Eclipse
 * tables (method = the clause they come from, line = 0 where there is no line).
 * - Precedence: Eclipse OCL's standard library model, `OCL-2.5.oclstdlib` line 86:
 *   `NAVIGATION UNARY MULTIPLICATIVE ADDITIVE RELATIONAL EQUALITY AND OR XOR IMPLIES`,
 *   the order of OCL 2.4 clause 9.3.2 (xor looser than or).
 * - Collection literals: the examples of OCL 2.4 clause 7.5.11 (Collection Literals).
 * - Lexical: OCL 2.4 clause 9.3 (escapes in StringLiteralExpCS, RealLiteralExpCS
 *   exponents) and 11.5 (Integer is unbounded).
 * - invalid and null: OCL 2.4 clauses 11.2 (OclInvalid, OclVoid) and 11.9 (iterators
 *   defined through iterate, so a deciding body wins over invalid).
 */
export const FILE =
  'OMG OCL 2.4 (formal/2014-02-03) and Eclipse OCL plugins/org.eclipse.ocl.pivot/model/OCL-2.5.oclstdlib';

export const CASES: readonly EclipseCase[] = [
  ['precedence (oclstdlib:86)', 86, 'assertQueryFalse', 'null', 'true or true xor true'],
  ['precedence (oclstdlib:86)', 86, 'assertQueryFalse', 'null', 'true xor true or true'],
  ['precedence (oclstdlib:86)', 86, 'assertQueryTrue', 'null', 'false and false or true'],
  ['precedence (oclstdlib:86)', 86, 'assertQueryTrue', 'null', 'true implies false xor true'],
  ['precedence (oclstdlib:86)', 86, 'assertQueryFalse', 'null', 'not true and false'],
  ['precedence (oclstdlib:86)', 86, 'assertQueryTrue', 'null', '2 < 3 = true'],
  ['precedence (oclstdlib:86)', 86, 'assertQueryTrue', 'null', '1 + 2 * 3 = 7 and -2 * 3 = -6'],
  ['precedence (oclstdlib:86)', 86, 'assertQueryTrue', 'null', '1 = 1 and 2 = 2'],
  [
    '7.5.11 Collection Literals',
    0,
    'assertQueryTrue',
    'null',
    'Sequence{1..(6 + 4)} = Sequence{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}',
  ],
  [
    '7.5.11 Collection Literals',
    0,
    'assertQueryTrue',
    'null',
    'Sequence{1..10} = Sequence{1..(6 + 4)}',
  ],
  ['7.5.11 Collection Literals', 0, 'assertQueryTrue', 'null', 'Set{1, 2, 5, 88}->size() = 4'],
  ['7.5.11 Collection Literals', 0, 'assertQueryTrue', 'null', 'Bag{1, 3, 4, 3, 5}->count(3) = 2'],
  [
    '7.5.11 Collection Literals',
    0,
    'assertQueryTrue',
    'null',
    "OrderedSet{'apple', 'orange', 'strawberry', 'pear'}->at(2) = 'orange'",
  ],
  [
    '7.5.11 Collection Literals',
    0,
    'assertQueryTrue',
    'null',
    "Sequence{'ape', 'nut'}->first() = 'ape'",
  ],
  [
    '9.3 RealLiteralExpCS',
    0,
    'assertQueryTrue',
    'null',
    '3.1e1 = 31.0 and 1E-1 = 0.1 and 2.5e+1 = 25',
  ],
  [
    '9.3 StringLiteralExpCS',
    0,
    'assertQueryTrue',
    'null',
    "'a\\nb'.size() = 3 and '\\t'.size() = 1 and 'it\\'s' = 'it''s'",
  ],
  ['11.5.2 Integer', 0, 'assertQueryTrue', 'null', '9007199254740993 - 9007199254740992 = 1'],
  [
    '11.5.2 Integer',
    0,
    'assertQueryTrue',
    'null',
    "(2 * 4611686018427387904).toString() = '9223372036854775808'",
  ],
  ['11.5.2 Integer', 0, 'assertQueryTrue', 'null', '7 / 2 = 3.5 and 7.div(2) = 3 and 7.mod(2) = 1'],
  [
    '11.2.4 OclInvalid',
    0,
    'assertQueryTrue',
    'null',
    '(1 / 0).oclIsUndefined() and (1 / 0).oclIsInvalid()',
  ],
  ['11.2.4 OclInvalid', 0, 'assertQueryFalse', 'null', 'null.oclIsInvalid()'],
  ['11.2.4 OclInvalid', 0, 'assertQueryInvalid', 'null', '1 / 0 = 1 / 0'],
  ['11.2.3 OclVoid', 0, 'assertQueryInvalid', 'null', "'a' + null"],
  ['11.2.3 OclVoid', 0, 'assertQueryTrue', 'null', 'null = null and null <> 1'],
  ['11.7.3 Sequence', 0, 'assertQueryInvalid', 'null', 'Sequence{}->first()'],
  ['11.7.3 Sequence', 0, 'assertQueryInvalid', 'null', 'Sequence{1, 2}->at(3)'],
  ['11.9.1 forAll', 0, 'assertQueryNull', 'null', 'Sequence{1, 2}->forAll(x | null)'],
  [
    '11.9.1 forAll',
    0,
    'assertQueryFalse',
    'null',
    'Sequence{1, 2}->forAll(x | if x = 1 then 1 / 0 = 1 else false endif)',
  ],
  [
    '11.9.1 exists',
    0,
    'assertQueryTrue',
    'null',
    'Sequence{1, 2}->exists(x | if x = 1 then null else true endif)',
  ],
  [
    '11.9.1 exists',
    0,
    'assertQueryInvalid',
    'null',
    'Sequence{1, 2}->exists(x | if x = 1 then 1 / 0 = 1 else false endif)',
  ],
  ['11.9.2 select', 0, 'assertQueryInvalid', 'null', 'Sequence{1, 2}->select(x | null)'],
  [
    '11.9.2 collect',
    0,
    'assertQueryTrue',
    'null',
    'Sequence{1, 2}->collect(x | null) = Sequence{null, null}',
  ],
  ['11.9.2 collect', 0, 'assertQueryTrue', 'null', 'Set{1, 2}->collect(x | x * 0) = Bag{0, 0}'],
];
