import { DomainError } from '../../common/errors/domain-error';
import { HENAN_2021_BASE } from '../../programme/domain/henan-versions';
import { checkAgencyDormancy, checkBankDormancy } from './disqualification.calculator';

const policy = HENAN_2021_BASE;

describe('checkBankDormancy (RULES §6; B 第十八条: no disbursement for 3 consecutive years)', () => {
  it('RULES §6: last disbursed 2021-03-15 → disqualified from 2024-03-15; the day before is not', () => {
    // 2021-03-15 + 3 years = 2024-03-15
    const before = checkBankDormancy(
      { joinedOn: '2019-05-01', lastDisbursedOn: '2021-03-15', asOf: '2024-03-14' },
      policy,
    );
    expect(before.disqualifiedFrom).toBe('2024-03-15');
    expect(before.disqualified).toBe(false);
    const on = checkBankDormancy(
      { joinedOn: '2019-05-01', lastDisbursedOn: '2021-03-15', asOf: '2024-03-15' },
      policy,
    );
    expect(on.disqualified).toBe(true);
  });

  it('B 第十八条: a disqualified bank may reapply 2 years after the disqualification date', () => {
    // 2024-03-15 + 2 years = 2026-03-15
    const r = checkBankDormancy(
      { joinedOn: '2019-05-01', lastDisbursedOn: '2021-03-15', asOf: '2025-01-01' },
      policy,
    );
    expect(r.mayReapplyFrom).toBe('2026-03-15');
  });

  it('RULES §6: a bank that never disbursed counts from its joining date (2020-06-30 → 2023-06-30)', () => {
    const r = checkBankDormancy(
      { joinedOn: '2020-06-30', lastDisbursedOn: null, asOf: '2023-06-30' },
      policy,
    );
    expect(r.dormantSince).toBe('2020-06-30');
    expect(r.disqualified).toBe(true);
  });

  it('RULES §6: a disbursement before (re)joining does not start the clock; the joining date does', () => {
    const r = checkBankDormancy(
      { joinedOn: '2022-01-01', lastDisbursedOn: '2018-01-01', asOf: '2024-12-31' },
      policy,
    );
    expect(r.dormantSince).toBe('2022-01-01');
    expect(r.disqualifiedFrom).toBe('2025-01-01');
    expect(r.disqualified).toBe(false);
  });

  it('RULES §6: month-end clamping: last disbursed 2020-02-29 → disqualified from 2023-02-28', () => {
    const r = checkBankDormancy(
      { joinedOn: '2019-01-01', lastDisbursedOn: '2020-02-29', asOf: '2023-02-28' },
      policy,
    );
    expect(r.disqualifiedFrom).toBe('2023-02-28');
    expect(r.disqualified).toBe(true);
  });

  it('RULES §6: the number of years is the policy bankDormantYears (2 → 2023-03-15)', () => {
    const r = checkBankDormancy(
      { joinedOn: '2019-05-01', lastDisbursedOn: '2021-03-15', asOf: '2023-03-15' },
      { ...policy, bankDormantYears: 2 },
    );
    expect(r.disqualified).toBe(true);
  });

  it('RULES §6: a malformed date → 400 DATE.INVALID', () => {
    expect(() =>
      checkBankDormancy(
        { joinedOn: '2019-02-30', lastDisbursedOn: null, asOf: '2024-01-01' },
        policy,
      ),
    ).toThrow(DomainError);
  });
});

describe('checkAgencyDormancy (RULES §6; A 第二十一条: no business for 6 consecutive months)', () => {
  it('RULES §6: last business 2024-08-31 → disqualified from 2025-02-28 (month-end clamped)', () => {
    const before = checkAgencyDormancy(
      { joinedOn: '2022-01-10', lastBusinessOn: '2024-08-31', asOf: '2025-02-27' },
      policy,
    );
    expect(before.disqualifiedFrom).toBe('2025-02-28');
    expect(before.disqualified).toBe(false);
    const on = checkAgencyDormancy(
      { joinedOn: '2022-01-10', lastBusinessOn: '2024-08-31', asOf: '2025-02-28' },
      policy,
    );
    expect(on.disqualified).toBe(true);
    expect(on.breakdown.at(-1)?.value).toBe('disqualified');
  });

  it('RULES §6: an agency with no business counts from joining (2025-01-15 → 2025-07-15)', () => {
    const r = checkAgencyDormancy(
      { joinedOn: '2025-01-15', lastBusinessOn: null, asOf: '2025-07-14' },
      policy,
    );
    expect(r.disqualifiedFrom).toBe('2025-07-15');
    expect(r.disqualified).toBe(false);
  });
});
