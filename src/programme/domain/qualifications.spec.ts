import { checkQualificationRecord, judgeQualification, maxValidTo } from './qualifications';

describe('qualification validity (RULES §2, revised 2026-12)', () => {
  it('a high-tech certificate is valid 3 years from its issue date; a tech-SME registration for its calendar year', () => {
    expect(maxValidTo('high_tech', '2022-12-01')).toBe('2025-11-30');
    expect(maxValidTo('high_tech', '2021-02-28')).toBe('2024-02-27');
    expect(maxValidTo('tech_sme', '2025-03-15')).toBe('2025-12-31');
  });

  it('validity past the rule or ending before it starts is refused', () => {
    expect(checkQualificationRecord({ kind: 'tech_sme', validFrom: '2025-03-15', validTo: '2026-03-14' })[0]).toMatchObject({ maxValidTo: '2025-12-31' });
    expect(checkQualificationRecord({ kind: 'high_tech', validFrom: '2025-03-15', validTo: '2025-03-14' })).toHaveLength(1);
    expect(checkQualificationRecord({ kind: 'high_tech', validFrom: '2022-12-01', validTo: '2025-11-30' })).toEqual([]);
  });
});

describe('judgeQualification (RULES §2; S 三(一) 按上年度资质)', () => {
  const cert = { kind: 'high_tech' as const, validFrom: '2022-01-10', validTo: '2025-01-09' };
  const facts = (registeredOn: string, renewal: boolean) => ({ highTech: true, techSme: false, records: [cert], registeredOn, renewal });

  it('with records, one valid on the registration date is needed; the flags do not count', () => {
    expect(judgeQualification(facts('2025-01-09', false))).toMatchObject({ qualified: true, basis: 'valid_on_date' });
    expect(judgeQualification(facts('2025-03-10', false))).toMatchObject({ qualified: false, basis: 'none' });
  });

  it('a renewal passes on a qualification held on any day of the previous calendar year', () => {
    expect(judgeQualification(facts('2025-03-10', true))).toMatchObject({ qualified: true, basis: 'previous_year' });
    // Held 2025-01-01 – 2025-01-09: a day of 2025 is enough for a 2026 renewal; not for 2027.
    expect(judgeQualification(facts('2026-03-10', true))).toMatchObject({ qualified: true, basis: 'previous_year' });
    expect(judgeQualification(facts('2027-03-10', true))).toMatchObject({ qualified: false });
  });

  it('without records the flags decide, as before records existed', () => {
    expect(judgeQualification({ highTech: false, techSme: true, records: [], registeredOn: '2025-03-10', renewal: false })).toMatchObject({ qualified: true, basis: 'flags' });
    expect(judgeQualification({ highTech: false, techSme: false, records: [], registeredOn: '2025-03-10', renewal: false }).qualified).toBe(false);
  });
});
