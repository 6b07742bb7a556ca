import { serialOfReference, extractReferences, isPaymentReference, MAX_SERIAL, paymentReference } from './payment-reference';

describe('payment references (RULES §8 Reconciliation; R 第二十一条)', () => {
  it('serial 1 → RF0000001D: 7 base32 characters and a check character (0×1+…+0×11 + 1×13 = 13 → D)', () => {
    expect(paymentReference(1)).toBe('RF0000001D');
  });

  it('serial 32 → "0000010": values 1 (weight 11) → check 11 = B', () => {
    expect(paymentReference(32)).toBe('RF0000010B');
  });

  it('every reference is 10 printable characters and passes its own check', () => {
    for (const n of [1, 2, 31, 32, 1000, 123456, MAX_SERIAL]) {
      const r = paymentReference(n);
      expect(r).toMatch(/^RF[0-9A-HJKMNP-TV-Z]{8}$/);
      expect(isPaymentReference(r)).toBe(true);
    }
    expect(() => paymentReference(0)).toThrow();
  });

  it('any single mistyped character fails the check', () => {
    const r = paymentReference(987654);
    for (let i = 2; i < 10; i++) {
      for (const c of '0123456789ABCDEFGHJKMNPQRSTVWXYZ') {
        if (c === r[i]) continue;
        expect(isPaymentReference(r.slice(0, i) + c + r.slice(i + 1))).toBe(false);
      }
    }
  });

  it('extracts the references of a batched memo, in order, once each, ignoring typos and case', () => {
    const a = paymentReference(5);
    const b = paymentReference(6);
    const typo = a.slice(0, 9) + (a[9] === 'Z' ? 'Y' : 'Z');
    expect(extractReferences(`退款 ${b.toLowerCase()};${a} ${typo} ${b}`)).toEqual([b, a]);
    expect(extractReferences('no reference here')).toEqual([]);
  });

  it('serialOfReference is the inverse of paymentReference (RF0000001D → 1, and 34,359,738,367 round-trips)', () => {
    expect(serialOfReference('RF0000001D')).toBe(1);
    for (const n of [1, 31, 32, 1_000_000, MAX_SERIAL]) expect(serialOfReference(paymentReference(n))).toBe(n);
    expect(() => serialOfReference('RF0000001E')).toThrow('not a payment reference');
  });
});
