import { HENAN_2021, HENAN_2025, HENAN_TECH_LOAN } from './henan-versions';
import { policyForRegistration, versionsOfProgramme } from './policy-lookup';
import type { PolicyVersion } from './policy-version';

const other: PolicyVersion = { ...HENAN_2021, id: 'other-2024', programme: 'other-programme', effectiveFrom: '2024-01-01' };
const versions = [HENAN_2025, other, HENAN_2021];

describe('policyForRegistration (RULES §11a: versions keyed by programme, in force from their date)', () => {
  it.each([
    ['2024-06-10', 'henan-2021'],
    ['2025-05-31', 'henan-2021'],
    ['2025-06-01', 'henan-2025'],
    ['2026-03-15', 'henan-2025'],
    ['2021-10-30', 'henan-2021'],
  ])('henan-tech-loan, registered %s → %s', (date, id) => {
    expect(policyForRegistration(versions, HENAN_TECH_LOAN, date).id).toBe(id);
  });

  it('a date before every version of the programme gets its earliest version (2021-03-01 → henan-2021)', () => {
    expect(policyForRegistration(versions, HENAN_TECH_LOAN, '2021-03-01').id).toBe('henan-2021');
  });

  it('a version of another programme never governs henan-tech-loan, though it starts 2024-01-01 (today versionFor picked across all)', () => {
    expect(policyForRegistration(versions, HENAN_TECH_LOAN, '2024-06-10').id).toBe('henan-2021');
    expect(policyForRegistration(versions, 'other-programme', '2024-06-10').id).toBe('other-2024');
    expect(versionsOfProgramme(versions, HENAN_TECH_LOAN).map((v) => v.id)).toEqual(['henan-2021', 'henan-2025']);
  });

  it('a programme with no version is a deployment error', () => {
    expect(() => policyForRegistration(versions, 'unknown', '2025-01-01')).toThrow(/no policy version/);
  });
});

describe('the built-in versions (RULES §11a)', () => {
  it('henan-2021 from 2021-10-30, nothing provisional, no 2025 rules, PBoC cap basis, fee on the disbursed amount', () => {
    expect(HENAN_2021).toMatchObject({ effectiveFrom: '2021-10-30', programme: 'henan-tech-loan', provisional: [], researchCooperationRatio: null, bankAnnualCapBalanceShare: null, rateCapBasis: 'pboc_benchmark', agencyFeeBase: 'disbursed_amount', placementCycle: 'quarterly' });
  });

  it('henan-2025 from 2025-06-01: 80% category below 10,000,000.00, credit 60%, bands unchanged, annual cap 2% / 10,000,000.00, yearly placement; term bonus and per-loan cap provisional', () => {
    expect(HENAN_2025).toMatchObject({
      effectiveFrom: '2025-06-01',
      researchCooperationRatio: '0.80',
      researchCooperationRevenueBelow: '10000000.00',
      creditLoanRatio: '0.60',
      revenueBrackets: HENAN_2021.revenueBrackets,
      bankAnnualCapBalanceShare: '0.02',
      bankAnnualCapAmount: '10000000.00',
      placementCycle: 'yearly',
      rateCapBasis: 'pboc_benchmark',
      collateralRatioMax: '0.30',
    });
    expect(HENAN_2025.provisional).toEqual(expect.arrayContaining(['termBonusPerYear', 'compensationCapPerLoan', 'ratioCap']));
    expect(HENAN_2025.provisional).not.toContain('researchCooperationRatio');
    expect(HENAN_2025.provisional).not.toContain('rateCapMultiplier');
  });
});
