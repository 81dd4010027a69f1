import { describe, expect, it } from 'vitest';
import { parseConstraints } from './constraints.js';

describe('parseConstraints', () => {
  it('parses the three examples of CONTRACTS section 4', () => {
    const { constraints, diagnostics } = parseConstraints(
      [
        '-- a comment',
        "context encode inv crfRange warning 'CRF above 30 looks blurry': self.params.crf <= 30",
        'context Node inv labelled: self.label <> null implies self.label.size() > 0',
        'context merge inv oneSplit: self.inputs->collect(e | e.source)->asSet()->size() >= 1',
      ].join('\n'),
    );
    expect(diagnostics).toEqual([]);
    expect(constraints.map((c) => [c.context, c.name, c.severity])).toEqual([
      ['encode', 'crfRange', 'warning'],
      ['Node', 'labelled', 'error'],
      ['merge', 'oneSplit', 'error'],
    ]);
    expect(constraints[0]?.message).toEqual(['CRF above 30 looks blurry']);
    expect(constraints[0]?.pos).toMatchObject({ line: 2, column: 16 });
  });

  it('reads hyphenated names, several invariants per context and message expressions', () => {
    const { constraints, diagnostics } = parseConstraints(
      "context Graph inv no-empty-name info 'graph {self.id} has no name': self.name <> '' inv b: true",
    );
    expect(diagnostics).toEqual([]);
    expect(constraints.map((c) => c.name)).toEqual(['no-empty-name', 'b']);
    expect(constraints[0]?.severity).toBe('info');
    expect(constraints[0]?.message?.[0]).toBe('graph ');
    expect(constraints[0]?.message?.[1]).toMatchObject({ kind: 'property', name: 'id' });
  });

  it('tells a subtraction from a hyphenated name', () => {
    const { constraints } = parseConstraints('context Node inv a: 3 - 1 = 2');
    expect(constraints[0]?.body).toMatchObject({
      kind: 'binary',
      op: '=',
      left: { kind: 'binary', op: '-' },
    });
  });

  it('binds and tighter than or, and implies loosest', () => {
    const { constraints } = parseConstraints(
      'context Node inv a: true or false and false implies true',
    );
    expect(constraints[0]?.body).toMatchObject({
      op: 'implies',
      left: { op: 'or', right: { op: 'and' } },
    });
  });

  it('binds xor looser than or (OCL 2.4 9.3.2)', () => {
    const { constraints } = parseConstraints('context Node inv a: true or false xor true');
    expect(constraints[0]?.body).toMatchObject({ op: 'xor', left: { op: 'or' } });
  });

  it('reads exponents, big Integers and escapes; refuses an unknown escape', () => {
    const { constraints } = parseConstraints(
      "context Node inv a: 3.1e1 = 31 and 99999999999999999999 > 0 and '\\t' <> ''",
    );
    expect(constraints[0]?.body).toMatchObject({
      left: { left: { left: { value: 31 } }, right: { left: { value: 99999999999999999999n } } },
    });
    expect(parseConstraints("context Node inv a: '\\q' = ''").diagnostics[0]?.message).toMatch(
      /1:22: unknown escape '\\q' in a string/,
    );
  });

  it('reports a syntax error with line and column', () => {
    const { diagnostics } = parseConstraints('context Node inv a:\n  self.params.crf <= ', {
      source: 'mine.ocl',
    });
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'ocl-syntax', severity: 'error' });
    expect(diagnostics[0]?.message).toMatch(
      /^mine\.ocl:2:22: expected an expression but found end of file/,
    );
  });

  it('keeps the good constraints around a bad one', () => {
    const text = [
      'context Node inv first: self.id <> null',
      'context Node inv broken: self.id = = 1',
      'context Node inv second: self.type <> null',
      'context Edge inv third: (self.id <> null',
      'context Edge inv fourth: true',
    ].join('\n');
    const { constraints, diagnostics } = parseConstraints(text);
    expect(constraints.map((c) => c.name)).toEqual(['first', 'second', 'fourth']);
    expect(diagnostics.map((d) => d.message.split(': ')[0])).toEqual([
      'constraints:2:36',
      'constraints:5:1',
    ]);
  });

  it('recovers inside one context at the next inv', () => {
    const { constraints, diagnostics } = parseConstraints(
      'context Node inv a: if true then 1 endif inv b: true',
    );
    expect(constraints.map((c) => c.name)).toEqual(['b']);
    expect(diagnostics[0]?.message).toMatch(/1:36: expected 'else' but found 'endif'/);
  });

  it('reports stray characters, unterminated strings and a missing context', () => {
    expect(parseConstraints('context Node inv a: 1 # 2').diagnostics[0]?.message).toMatch(
      /1:23: unexpected character '#'/,
    );
    expect(parseConstraints("context Node inv a: self.id = 'abc").diagnostics[0]?.message).toMatch(
      /1:31: unterminated string/,
    );
    expect(parseConstraints('inv a: true').diagnostics[0]?.message).toMatch(
      /1:1: expected 'context'/,
    );
    expect(parseConstraints('context Node inv a: 1 2').diagnostics[0]?.message).toMatch(
      /1:23: unexpected '2' after the expression/,
    );
    expect(parseConstraints("context Node inv a '{self.}': true").diagnostics[0]?.message).toMatch(
      /1:27: expected a property/,
    );
    expect(parseConstraints("context Node inv a '{self.': true").diagnostics[0]?.message).toMatch(
      /1:21: unclosed '\{' in message/,
    );
  });

  it('refuses absurd nesting with a diagnostic instead of overflowing the stack', () => {
    const deep = `context Node inv deep: ${'('.repeat(5000)}1${')'.repeat(5000)} = 1`;
    const { diagnostics } = parseConstraints(deep);
    expect(diagnostics[0]?.message).toMatch(/nested deeper than 200/);
    const notNot = `context Node inv deep: ${'not '.repeat(5000)}true`;
    expect(parseConstraints(notNot).diagnostics[0]?.message).toMatch(/nested deeper/);
  });

  it('refuses flat chains that would build a tree deeper than 1,000 levels', () => {
    const chain = (n: number, operand: string, op: string) =>
      `context Node inv long: ${Array<string>(n).fill(operand).join(` ${op} `)}`;
    expect(parseConstraints(chain(1_000, 'true', 'and')).diagnostics).toEqual([]);
    expect(parseConstraints(chain(5_000, 'true', 'and')).diagnostics[0]?.message).toMatch(
      /expression deeper than 1000 levels/,
    );
    const path = `context Node inv long: self${'.id'.repeat(5_000)} = ''`;
    expect(parseConstraints(path).diagnostics[0]?.message).toMatch(/deeper than 1000 levels/);
  });

  it('parses an empty file and a file of comments to nothing', () => {
    expect(parseConstraints('')).toMatchObject({ constraints: [], diagnostics: [] });
    expect(parseConstraints('-- only\n-- comments\n')).toMatchObject({
      constraints: [],
      diagnostics: [],
    });
  });
});
