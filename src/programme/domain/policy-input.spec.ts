import { HENAN_2021, HENAN_2025 } from './henan-versions';
import { checkPolicyInput, parametersOf } from './policy-input';

const ctx = { programmes: ['henan-tech-loan', 'zj'], versions: [HENAN_2021, HENAN_2025] };
const codes = (r: ReturnType<typeof checkPolicyInput>) => r.problems.map((p) => `${p.code} ${p.field}`);

describe('checkPolicyInput (RULES §11a: loading a version, every problem listed)', () => {
  it('a complete version of a known programme after the latest one is accepted as given', () => {
    const r = checkPolicyInput({ id: 'henan-2027', programme: 'henan-tech-loan', name: ' v ', effectiveFrom: '2027-01-01', parameters: parametersOf(HENAN_2025), provisional: ['ratioCap'] }, ctx);
    expect(r.problems).toEqual([]);
    expect(r.version).toMatchObject({ id: 'henan-2027', name: 'v', effectiveFrom: '2027-01-01', provisional: ['ratioCap'], researchCooperationRatio: '0.80' });
  });

  it('basedOn fills what is not given; only the changed parameters are sent', () => {
    const r = checkPolicyInput({ id: 'henan-2027', programme: 'henan-tech-loan', name: 'v', effectiveFrom: '2027-01-01', basedOn: 'henan-2025', parameters: { compensationCapPerLoan: '6000000.00' } }, ctx);
    expect(r.version).toMatchObject({ compensationCapPerLoan: '6000000.00', bankAnnualCapAmount: '10000000.00' });
  });

  it('unknown programme, wrong type, out of range, missing parameters: all listed, malformed (400)', () => {
    const r = checkPolicyInput({ id: 'Bad Id', programme: 'nowhere', name: '', effectiveFrom: '2027-02-30', parameters: { ratioCap: 0.6, lossRateWarning: '0.07', dayCountBasis: 100 } }, ctx);
    expect(r.version).toBeNull();
    expect(r.malformed).toBe(true);
    expect(codes(r)).toEqual(
      expect.arrayContaining([
        'POLICY.FIELD_INVALID id',
        'POLICY.FIELD_INVALID name',
        'POLICY.UNKNOWN_PROGRAMME programme',
        'POLICY.FIELD_INVALID effectiveFrom',
        'POLICY.PARAMETER_TYPE parameters.ratioCap',
        'POLICY.PARAMETER_RANGE parameters.dayCountBasis',
        'POLICY.PARAMETER_MISSING parameters.collateralRatioMax',
      ]),
    );
  });

  it('a duplicate or overlapping effective date and a duplicate id are refusals (422)', () => {
    const dup = checkPolicyInput({ id: 'henan-2025', programme: 'henan-tech-loan', name: 'v', effectiveFrom: '2025-06-01', basedOn: 'henan-2025', parameters: {} }, ctx);
    expect(dup.malformed).toBe(false);
    expect(codes(dup)).toEqual(['POLICY.DUPLICATE_ID id', 'POLICY.EFFECTIVE_DATE_TAKEN effectiveFrom']);
    const overlap = checkPolicyInput({ id: 'henan-2023', programme: 'henan-tech-loan', name: 'v', effectiveFrom: '2023-01-01', basedOn: 'henan-2021', parameters: {} }, ctx);
    expect(codes(overlap)).toEqual(['POLICY.EFFECTIVE_DATE_OVERLAPS effectiveFrom']);
    // Another programme's dates do not count.
    expect(checkPolicyInput({ id: 'zj-2023', programme: 'zj', name: 'v', effectiveFrom: '2023-01-01', parameters: parametersOf(HENAN_2021) }, ctx).problems).toEqual([]);
  });

  it('structured tables are checked: brackets ascend and end open, bands start at 0 and are contiguous', () => {
    const r = checkPolicyInput(
      {
        id: 'henan-2027',
        programme: 'henan-tech-loan',
        name: 'v',
        effectiveFrom: '2027-01-01',
        basedOn: 'henan-2025',
        parameters: {
          revenueBrackets: [{ revenueMax: '50000000.00', ratio: '0.60' }, { revenueMax: '20000000.00', ratio: '0.50' }, { revenueMax: null, ratio: '0.30' }],
          marginDeductionBands: [{ from: '0', to: '0.02', share: '0' }, { from: '0.03', to: null, share: '0.5' }],
          researchCooperationRevenueBelow: null,
          lossRateWarning: '0.07',
        },
        provisional: ['nope'],
      },
      ctx,
    );
    expect(codes(r)).toEqual([
      'POLICY.PARAMETER_RANGE parameters.revenueBrackets[1].revenueMax',
      'POLICY.PARAMETER_RANGE parameters.marginDeductionBands[1].from',
      'POLICY.PARAMETER_RANGE parameters.lossRateWarning',
      'POLICY.PARAMETER_RANGE parameters.researchCooperationRatio',
      'POLICY.PROVISIONAL_UNKNOWN provisional',
    ]);
  });
});
