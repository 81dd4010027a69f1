import { library } from '@reelflow/library';
import { describe, expect, it } from 'vitest';
import {
  paramErrors,
  paramFields,
  plainFieldMessage,
  readNumberText,
  type FieldSpec,
} from './params.js';

const encode = library.get('encode')!;
const crf = paramFields(encode).find((f) => f.name === 'crf') as FieldSpec & { kind: 'number' };

describe('plainFieldMessage', () => {
  it("prefers the node's own message over zod's generic one, and gives one message", () => {
    expect(
      plainFieldMessage(crf, ['Too big: expected number to be <=63', 'crf for h264 must be 0–51']),
    ).toBe('Crf for h264 must be 0–51');
  });

  it("says zod's generic message in the field's words", () => {
    const local = paramErrors(encode, { crf: 99 }).get('crf');
    expect(local).toMatch(/Too big/);
    expect(plainFieldMessage(crf, [local!])).toBe('crf must be a whole number 0–63');
    const preset = paramFields(encode).find((f) => f.name === 'preset')!;
    expect(plainFieldMessage(preset, ['Invalid option: expected one of …'])).toMatch(
      /^preset must be one of ultrafast, /,
    );
    expect(plainFieldMessage(crf, [])).toBeUndefined();
  });
});

describe('readNumberText', () => {
  it('takes digits and refuses letters and exponents with a hint', () => {
    expect(readNumberText(crf, '28')).toEqual({ value: 28 });
    expect(readNumberText(crf, 'abc')).toEqual({
      hint: 'crf takes a whole number 0–63: “abc” is refused (digits only)',
    });
    expect(readNumberText(crf, '1e3')).toMatchObject({
      hint: expect.stringContaining('no exponents'),
    });
    expect(readNumberText(crf, '2.5')).toHaveProperty('hint');
    const seconds = { ...crf, name: 'segmentSeconds', integer: false };
    expect(readNumberText(seconds, '2.5')).toEqual({ value: 2.5 });
    expect(readNumberText(seconds, '1.')).toEqual({ value: 1 });
    expect(readNumberText(seconds, '1e3')).toHaveProperty('hint');
  });
});
