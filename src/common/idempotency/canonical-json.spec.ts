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
