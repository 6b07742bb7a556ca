import { DomainError } from '../../common/errors/domain-error';
import { flowParameters } from './flow-parameters';

describe('flow parameters from a programme’s data (issue 18: a figure missing from the seed is refused, never guessed)', () => {
  it('reads the subsidy’s seed figures', () => {
    const p = flowParameters('xinxiang-2022', 'interest_subsidy', { loanAmountMax: '3000000.00', bandBelowLprBp: 150, bandAboveLprBp: 150, timesMax: 3, dayCountBasis: 360, lprOneYearTermMonthsMax: 60 });
    expect([p.loanAmountMax.toString(), p.bandBelowLprBp, p.timesMax]).toEqual(['3000000.00', 150, 3]);
  });

  it('refuses the pledge flow while its ratios are null, naming each (409 FLOW.PARAMETER_MISSING)', () => {
    try {
      flowParameters('xinxiang-2022', 'ip_pledge_advance', { advanceRatio: null, lossShareRatio: null, dayCountBasis: 360 });
      throw new Error('not refused');
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      const err = e as DomainError;
      expect([err.code, err.kind]).toEqual(['FLOW.PARAMETER_MISSING', 'conflict']);
      expect(err.details.map((d) => d.field)).toEqual(['advanceRatio', 'lossShareRatio']);
    }
  });

  it('refuses a malformed ratio', () => {
    expect(() => flowParameters('p', 'ip_pledge_advance', { advanceRatio: '1.5', lossShareRatio: '0.5', dayCountBasis: 360 })).toThrow(/advanceRatio/);
  });
});
