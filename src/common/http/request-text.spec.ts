import { jsonNestsDeeperThan, jsonProblems, textProblem } from './request-text';

describe('edge text checks (issue 10 item 2)', () => {
  it('finds NUL, other control characters and lone surrogates; free text may carry tab and line breaks', () => {
    expect(textProblem('plain 中文 😀', false)).toBeNull();
    expect(textProblem('a\tb\r\nc', true)).toBeNull();
    expect(textProblem('a\tb', false)).toEqual({ code: 'CONTROL_CHARACTER', index: 1 });
    expect(textProblem('ab\u0000', true)).toEqual({ code: 'NUL_CHARACTER', index: 2 });
    expect(textProblem('x\u001b[31m', true)).toEqual({ code: 'CONTROL_CHARACTER', index: 1 });
    expect(textProblem('\u0085', true)?.code).toBe('CONTROL_CHARACTER');
    expect(textProblem('a\ud800', true)).toEqual({ code: 'LONE_SURROGATE', index: 1 });
    expect(textProblem('\udc00a', true)).toEqual({ code: 'LONE_SURROGATE', index: 0 });
    expect(textProblem('\ud83d\ude00', true)).toBeNull();
    // The earlier of two problems is reported.
    expect(textProblem('\ud800\u0000', true)?.code).toBe('LONE_SURROGATE');
  });

  it('measures JSON depth on the raw text, ignoring brackets inside strings', () => {
    expect(jsonNestsDeeperThan('[[[]]]', 3)).toBe(false);
    expect(jsonNestsDeeperThan('[[[[]]]]', 3)).toBe(true);
    expect(jsonNestsDeeperThan('{"a":"[[[[[[\\"[["}', 1)).toBe(false);
    expect(jsonNestsDeeperThan(`${'['.repeat(100_000)}`, 64)).toBe(true);
  });

  it('lists forbidden keys and bad text with their paths, without recursion', () => {
    const value = JSON.parse('{"a":[{"__proto__":1,"ok":"x\\u0000"}],"constructor":2,"b\\u0001":3}');
    expect(jsonProblems(value)).toEqual([
      { field: 'a.0.__proto__', code: 'UNKNOWN_FIELD', message: 'property __proto__ should not exist' },
      { field: 'a.0.ok', code: 'NUL_CHARACTER', message: expect.stringContaining('NUL') },
      { field: 'constructor', code: 'UNKNOWN_FIELD', message: 'property constructor should not exist' },
      { field: 'b\u0001', code: 'CONTROL_CHARACTER', message: expect.stringContaining('property name') },
    ]);
    const wide = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i]));
    expect(jsonProblems({ a: wide })).toEqual([expect.objectContaining({ field: 'a', code: 'TOO_MANY_MEMBERS' })]);
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(jsonProblems(deep, 64)).toEqual([expect.objectContaining({ code: 'TOO_DEEP' })]);
  });
});
