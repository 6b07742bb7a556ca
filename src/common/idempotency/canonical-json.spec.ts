import { canonicalJson, requestHash } from './canonical-json';

describe('canonical JSON for idempotency request hashes', () => {
  it('sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,1]},"b":1}');
  });

  it('hashes bodies that differ only in key order the same, and any value change differently', () => {
    const a = requestHash({ book: 'reserve', lines: [{ account: 'x', debit: '1.00' }] });
    const b = requestHash({ lines: [{ debit: '1.00', account: 'x' }], book: 'reserve' });
    const c = requestHash({ book: 'reserve', lines: [{ account: 'x', debit: '1.01' }] });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  it('drops undefined members and writes null for a missing body', () => {
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
    expect(canonicalJson(undefined)).toBe('null');
  });
});

describe('canonical JSON on hostile shapes (issue 10 item 2)', () => {
  it('serialises a value nested 100,000 levels deep without overflowing the stack', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = i % 2 ? [deep] : { a: deep };
    const text = canonicalJson(deep);
    expect(text.length).toBeGreaterThan(300_000);
    expect(requestHash(deep)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('writes exactly what the recursive definition wrote (sorted keys, nulls for undefined items)', () => {
    const value = { z: [1, undefined, { y: 'é', x: null }], a: { c: [], b: {} }, m: undefined, s: 'line\nbreak' };
    expect(canonicalJson(value)).toBe('{"a":{"b":{},"c":[]},"s":"line\\nbreak","z":[1,null,{"x":null,"y":"é"}]}');
    // The same value repeated (not a cycle) is written twice.
    const shared = { k: 1 };
    expect(canonicalJson([shared, shared])).toBe('[{"k":1},{"k":1}]');
  });

  it('refuses a cyclic value instead of looping', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/cyclic/);
  });
});
