import { DomainError } from '../../common/errors/domain-error';
import { pledgeFlowParameters, subsidyFlowParameters } from './flow-parameters';

describe('flow parameters from a programme’s data (issue 18: a figure missing from the seed is refused, never guessed)', () => {
  it('reads the subsidy’s seed figures (xinxiang (四): −150 bp … +150 bp, 3 times, 3,000,000.00)', () => {
    const p = subsidyFlowParameters('xinxiang-risk-compensation', { lprOffsetLowBp: '-150', lprOffsetHighBp: '150', timesMax: '3', loanAmountMax: '3000000.00' });
    expect([p.loanAmountMax.toString(), p.lprOffsetLowBp, p.lprOffsetHighBp, p.timesMax]).toEqual(['3000000.00', -150, 150, 3]);
  });

  it('refuses the pledge flow while its ratios are null, naming each (422 PROGRAMME.FIGURE_MISSING)', () => {
    let caught: unknown;
    try {
      pledgeFlowParameters('xinxiang-risk-compensation', { advanceRatio: null, settlementRatio: null });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DomainError);
    const err = caught as DomainError;
    expect([err.code, err.kind]).toEqual(['PROGRAMME.FIGURE_MISSING', 'rule']);
    expect(err.details.map((d) => d.field)).toEqual(['advanceRatio', 'settlementRatio']);
  });

  it('reads given ratios, refuses a ratio above 1 and a band upside down', () => {
    const p = pledgeFlowParameters('p', { advanceRatio: '0.40', settlementRatio: '0.5' });
    expect([p.advanceRatio.toString(), p.settlementRatio.toString()]).toEqual(['0.4', '0.5']);
    expect(() => pledgeFlowParameters('p', { advanceRatio: '1.5', settlementRatio: '0.5' })).toThrow(/advanceRatio/);
    expect(() => subsidyFlowParameters('p', { lprOffsetLowBp: '150', lprOffsetHighBp: '-150', timesMax: '3', loanAmountMax: '1.00' })).toThrow(/lprOffsetLowBp/);
  });
});
