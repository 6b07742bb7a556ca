import { DomainError } from '../../common/errors/domain-error';
import { HENAN_2021 } from '../../programme/domain/henan-versions';
import { claimTrigger } from './claim-trigger.calculator';

const policy = HENAN_2021;

describe('claimTrigger — two calendar months overdue, month-end clamped (RULES §4 Decision; B 第十二条)', () => {
  it('RULES §4: overdue since 2025-02-28 → claimable from 2025-04-28; 2025-04-27 is one day early', () => {
    const early = claimTrigger(
      { principalOverdueSince: '2025-02-28', claimDate: '2025-04-27' },
      policy,
    );
    expect(early.eligible).toBe(false);
    expect(early.eligibleFrom).toBe('2025-04-28');
    expect(early.ineligibleReason).toEqual({
      code: 'CLAIM.NOT_YET_ELIGIBLE',
      message: 'Not yet eligible on 2025-04-27: the first day a trigger holds is 2025-04-28',
    });
  });

  it('RULES §4: overdue since 2025-02-28, claim on 2025-04-28 itself → eligible', () => {
    const r = claimTrigger(
      { principalOverdueSince: '2025-02-28', claimDate: '2025-04-28' },
      policy,
    );
    expect(r.eligible).toBe(true);
    expect(r.ineligibleReason).toBeUndefined();
  });

  it('RULES §4: overdue since 2024-12-31 → from 2025-02-28 (clamped); 02-27 not yet, 02-28 eligible', () => {
    expect(
      claimTrigger({ principalOverdueSince: '2024-12-31', claimDate: '2025-02-27' }, policy)
        .eligible,
    ).toBe(false);
    const r = claimTrigger(
      { principalOverdueSince: '2024-12-31', claimDate: '2025-02-28' },
      policy,
    );
    expect(r.eligible).toBe(true);
    expect(r.overdueTriggerFrom).toBe('2025-02-28');
  });

  it('RULES §4: overdue since 2023-12-31 → from 2024-02-29 (leap year)', () => {
    expect(
      claimTrigger({ principalOverdueSince: '2023-12-31', claimDate: '2024-02-29' }, policy)
        .eligibleFrom,
    ).toBe('2024-02-29');
  });

  it('RULES §4: overdue since 2025-07-31 → from 2025-09-30; since 2025-08-31 → from 2025-10-31', () => {
    expect(
      claimTrigger({ principalOverdueSince: '2025-07-31', claimDate: '2025-12-01' }, policy)
        .eligibleFrom,
    ).toBe('2025-09-30');
    expect(
      claimTrigger({ principalOverdueSince: '2025-08-31', claimDate: '2025-12-01' }, policy)
        .eligibleFrom,
    ).toBe('2025-10-31');
  });

  it('API.md example: overdue since 2025-05-10, claim 2025-07-15 → eligible from 2025-07-10', () => {
    const r = claimTrigger(
      { principalOverdueSince: '2025-05-10', lawsuitAcceptedOn: null, claimDate: '2025-07-15' },
      policy,
    );
    expect(r).toMatchObject({
      eligible: true,
      eligibleFrom: '2025-07-10',
      overdueTriggerFrom: '2025-07-10',
      lawsuitTriggerFrom: null,
    });
    expect(r.breakdown.map((s) => s.text)).toEqual([
      'Principal overdue since 2025-05-10 + 2 calendar months (month-end clamped) = 2025-07-10',
      'No lawsuit acceptance date given: the lawsuit trigger does not apply',
      'Claim date 2025-07-15 ≥ 2025-07-10: eligible',
    ]);
  });
});

describe('claimTrigger — lawsuit accepted (RULES §4; S 三(五))', () => {
  it('RULES §4: lawsuit accepted 2025-06-01 before the overdue trigger 2025-07-10 → eligible from 2025-06-01', () => {
    const r = claimTrigger(
      {
        principalOverdueSince: '2025-05-10',
        lawsuitAcceptedOn: '2025-06-01',
        claimDate: '2025-06-01',
      },
      policy,
    );
    expect(r.eligible).toBe(true);
    expect(r.eligibleFrom).toBe('2025-06-01');
  });

  it('RULES §4: the overdue trigger earlier than the lawsuit wins', () => {
    const r = claimTrigger(
      {
        principalOverdueSince: '2025-01-10',
        lawsuitAcceptedOn: '2025-06-01',
        claimDate: '2025-04-01',
      },
      policy,
    );
    expect(r.eligibleFrom).toBe('2025-03-10');
    expect(r.eligible).toBe(true);
  });

  it('RULES §4: lawsuit only, accepted after the claim date → not yet eligible', () => {
    const r = claimTrigger({ lawsuitAcceptedOn: '2025-06-02', claimDate: '2025-06-01' }, policy);
    expect(r.eligible).toBe(false);
    expect(r.eligibleFrom).toBe('2025-06-02');
  });

  it('RULES §4: neither date → eligibleFrom null, CLAIM.NO_TRIGGER', () => {
    const r = claimTrigger({ claimDate: '2025-06-01' }, policy);
    expect(r.eligible).toBe(false);
    expect(r.eligibleFrom).toBeNull();
    expect(r.ineligibleReason?.code).toBe('CLAIM.NO_TRIGGER');
  });

  it('a malformed date is a 400', () => {
    expect(() =>
      claimTrigger({ principalOverdueSince: '2025-02-30', claimDate: '2025-06-01' }, policy),
    ).toThrow(DomainError);
  });
});
