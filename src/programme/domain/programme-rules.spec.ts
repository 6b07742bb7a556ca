import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findDataFile } from '../data-files';
import { checkProgrammeDocument } from './programme-document-check';
import type { ProgrammeDocument } from './programme-document';
import type { ApplicationFacts } from './programme-facts';
import { wholeMonthsBetween } from './programme-facts';
import { checkProgrammeApplication } from './programme-rules';

/**
 * The seed programmes' rules with the seeds' own figures and edges (issue 18 "Done when"), run on
 * the documents in data/programmes/ exactly as the service loads them.
 */
function documentOf(file: string): ProgrammeDocument {
  const check = checkProgrammeDocument(JSON.parse(readFileSync(join(findDataFile('programmes'), file), 'utf8')));
  if (!check.document) throw new Error(JSON.stringify(check.problems));
  return check.document;
}

const ZJ = documentOf('zhejiang-employment-loan.json');
const GX = documentOf('guangxi-employment-measures.json');
const JL = documentOf('jilin-labour-cooperation.json');
const XX = documentOf('xinxiang-risk-compensation.json');

type Overrides = Omit<Partial<ApplicationFacts>, 'borrower'> & { borrower?: Partial<ApplicationFacts['borrower']> };

function app(overrides: Overrides = {}): ApplicationFacts {
  const { borrower, ...rest } = overrides;
  return {
    product: 'special-loan',
    amount: '5000000.00',
    annualRate: '0.035',
    termMonths: 12,
    contractDate: '2026-03-02',
    registeredOn: '2026-03-02',
    preferentialMonths: null,
    borrower: { borrowerType: 'enterprise', sizeClass: 'small', establishedOn: '2020-01-01', region: '330100', ...borrower },
    headcounts: [
      { asOf: '2025-03-01', headcount: 40 },
      { asOf: '2026-03-01', headcount: 40 },
    ],
    hires: [],
    declarations: { wagesPaid: true, socialInsurancePaid: true, legalEntity: true, noArrearsRecord: true, goodCredit: true },
    lprForTerm: '0.03',
    programmeLoans: [],
    ...rest,
  };
}

function check(doc: ProgrammeDocument, product: string, a: ApplicationFacts) {
  const spec = doc.products.find((p) => p.code === product);
  if (!spec) throw new Error(`no product ${product}`);
  return checkProgrammeApplication(doc, spec, { ...a, product });
}

const broken = (r: ReturnType<typeof check>) => r.problems.map((p) => `${String(p.rule ?? p.code)}:${p.code}`);

describe('whole months established', () => {
  it('counts calendar months with month-end clamping: 2025-03-02 → 2026-03-02 is 12, → 2026-03-01 is 11', () => {
    expect(wholeMonthsBetween('2025-03-02', '2026-03-02')).toBe(12);
    expect(wholeMonthsBetween('2025-03-02', '2026-03-01')).toBe(11);
    expect(wholeMonthsBetween('2025-01-31', '2025-02-28')).toBe(1);
  });
});

describe('Zhejiang 2025 稳岗扩岗专项贷款 (zhejiang-employment-loans-2025.txt 二(一)(二))', () => {
  it('an enterprise of exactly 10 employees, 12 months old, headcount held: every rule met', () => {
    const r = check(ZJ, 'special-loan', app({ borrower: { establishedOn: '2025-03-02' }, headcounts: [{ asOf: '2025-03-01', headcount: 10 }, { asOf: '2026-03-01', headcount: 10 }] }));
    expect(r.problems).toEqual([]);
    expect(r.refused).toBe(false);
    expect(r.facts).toMatchObject({ headcount: '10', monthsEstablished: '12', headcountReduction: '0' });
  });

  it('9 employees and 11 months: two soft rules warn (the bank may relax them), nothing refused', () => {
    const r = check(ZJ, 'special-loan', app({ borrower: { establishedOn: '2025-03-03' }, headcounts: [{ asOf: '2025-03-01', headcount: 9 }, { asOf: '2026-03-01', headcount: 9 }] }));
    expect(r.refused).toBe(false);
    expect(r.warnings.map((w) => w.rule)).toEqual(['zj-established', 'zj-headcount-min']);
    expect(r.warnings[1]).toMatchObject({ severity: 'soft', source: 'zhejiang-employment-loans-2025.txt 二(一)', text: { zh: '用工人数不少于10人' }, observed: { headcount: '9' } });
  });

  it('credit line: 50,000,000.00 for an enterprise passes, 50,000,000.01 is refused (hard)', () => {
    expect(check(ZJ, 'special-loan', app({ amount: '50000000.00' })).refused).toBe(false);
    const r = check(ZJ, 'special-loan', app({ amount: '50000000.01' }));
    expect([r.refused, broken(r)]).toEqual([true, ['zj-credit-line:PROGRAMME.RULE_BROKEN']]);
  });

  it('an individual: 10,000,000.01 refused; an outstanding special loan of the same kind refused; no wage test', () => {
    const individual = { borrowerType: 'individual' as const, establishedOn: '2025-09-02' };
    const r = check(ZJ, 'special-loan', app({ amount: '10000000.01', borrower: individual, programmeLoans: [{ product: 'special-loan', contractDate: '2025-10-01', termMonths: 12 }] }));
    expect(broken(r)).toEqual(['zj-credit-line:PROGRAMME.RULE_BROKEN', 'zj-no-outstanding:PROGRAMME.RULE_BROKEN']);
    // 6 months operating exactly (2025-09-02 → 2026-03-02) passes zj-operating.
    expect(check(ZJ, 'special-loan', app({ amount: '10000000.00', borrower: individual })).problems).toEqual([]);
  });

  it('a firm that cut staff: the control target is not in the seed, so the rule cannot be decided (refused, figure named)', () => {
    // 40 → 38 over 12 months: 2 / 40 = 5%; the 2025 target (上年度) is missing from the table.
    const r = check(ZJ, 'special-loan', app({ headcounts: [{ asOf: '2025-03-01', headcount: 40 }, { asOf: '2026-03-01', headcount: 38 }] }));
    expect(r.refused).toBe(true);
    expect(r.problems).toEqual([expect.objectContaining({ rule: 'zj-headcount-held', code: 'PROGRAMME.FIGURE_MISSING', missing: [expect.objectContaining({ name: 'tables.unemploymentControlTarget.2025' })] })]);
  });

  it('with a control target loaded (5.5% for 2025): a 5% cut passes, a 5.5% cut does not (低于: strictly below) and warns', () => {
    const loaded: ProgrammeDocument = { ...ZJ, tables: { unemploymentControlTarget: { ...ZJ.tables.unemploymentControlTarget, rows: { '2025': '0.055' } } } };
    const five = check(loaded, 'special-loan', app({ headcounts: [{ asOf: '2025-03-01', headcount: 40 }, { asOf: '2026-03-01', headcount: 38 }] }));
    expect(five.problems).toEqual([]);
    // 200 → 189: 11 / 200 = 0.055, not below 0.055.
    const exact = check(loaded, 'special-loan', app({ headcounts: [{ asOf: '2025-03-01', headcount: 200 }, { asOf: '2026-03-01', headcount: 189 }] }));
    expect([exact.refused, exact.warnings.map((w) => w.rule)]).toEqual([false, ['zj-headcount-held']]);
  });

  it('an undeclared wage payment cannot be decided (PROGRAMME.FACT_MISSING), a false one breaks the hard rule', () => {
    const none = check(ZJ, 'special-loan', app({ declarations: { socialInsurancePaid: true } }));
    expect(broken(none)).toEqual(['zj-wages-social-insurance:PROGRAMME.FACT_MISSING']);
    const no = check(ZJ, 'special-loan', app({ declarations: { wagesPaid: false, socialInsurancePaid: true } }));
    expect([no.refused, broken(no)]).toEqual([true, ['zj-wages-social-insurance:PROGRAMME.RULE_BROKEN']]);
  });
});

describe('Guangxi 2025 (桂人社发〔2025〕38号)', () => {
  const layoff = (before: number, after: number) => [
    { asOf: '2024-03-01', headcount: before },
    { asOf: '2025-03-01', headcount: after },
  ];
  const gx = (o: Overrides = {}) => app({ contractDate: '2025-03-02', registeredOn: '2025-03-02', headcounts: layoff(50, 50), ...o });

  it('layoff rate exactly 5.5% (200 → 189: 11 / 200) passes 一(一)', () => {
    const r = check(GX, 'special-loan', gx({ headcounts: layoff(200, 189) }));
    expect(r.facts.headcountReduction).toBe('0.055');
    expect(r.problems).toEqual([]);
  });

  it('layoff rate 6% (200 → 188: 12 / 200) is refused', () => {
    const r = check(GX, 'special-loan', gx({ headcounts: layoff(200, 188) }));
    expect([r.refused, broken(r)]).toEqual([true, ['gx-layoff-rate:PROGRAMME.RULE_BROKEN']]);
  });

  it('a rate at 2.9% and at 4% is inside the band; 4.01% and 2.89% warn (原则上: soft)', () => {
    for (const rate of ['0.029', '0.04']) expect(check(GX, 'special-loan', gx({ annualRate: rate })).problems).toEqual([]);
    for (const rate of ['0.0401', '0.0289']) {
      const r = check(GX, 'special-loan', gx({ annualRate: rate }));
      expect([r.refused, r.warnings.map((w) => w.rule)]).toEqual([false, ['gx-rate-band']]);
    }
  });

  it('the special loan ends 2025-12-31: registered 2025-12-31 passes, 2026-01-01 is refused', () => {
    expect(check(GX, 'special-loan', gx({ registeredOn: '2025-12-31', headcounts: layoff(50, 50) })).problems).toEqual([]);
    expect(broken(check(GX, 'special-loan', gx({ registeredOn: '2026-01-01', headcounts: layoff(50, 50) })))).toEqual(['gx-period:PROGRAMME.RULE_BROKEN']);
  });

  it('创业担保贷款: individual 300,000.00 passes and 300,000.01 is refused; a small firm 4,000,000.00 passes; a medium firm is refused', () => {
    const individual = { borrowerType: 'individual' as const };
    expect(check(GX, 'startup-guarantee-loan', gx({ amount: '300000.00', borrower: individual })).problems).toEqual([]);
    expect(broken(check(GX, 'startup-guarantee-loan', gx({ amount: '300000.01', borrower: individual })))).toEqual(['gx-startup-amount:PROGRAMME.RULE_BROKEN']);
    expect(check(GX, 'startup-guarantee-loan', gx({ amount: '4000000.00', borrower: { sizeClass: 'small' } })).problems).toEqual([]);
    expect(broken(check(GX, 'startup-guarantee-loan', gx({ amount: '4000000.00', borrower: { sizeClass: 'medium' } })))).toEqual(['gx-startup-small-firm:PROGRAMME.RULE_BROKEN']);
  });
});

describe('Jilin 2022 劳务协作贷款 (jilin-labour-cooperation-loans-2022.txt 三(二)(五))', () => {
  /** `n` persons from 延吉市 (222401, in 延边州 222400) on 12-month contracts, plus optional key-group and local hires. */
  const hires = (n: number, extra: ApplicationFacts['hires'] = []): ApplicationFacts['hires'] => [
    ...(n ? [{ hiredOn: '2025-06-01', persons: n, originRegion: '222401', groups: [], contractMonths: 12 }] : []),
    ...extra,
  ];
  // A key-group hire with no origin recorded: it counts for the halving, not as a partner-region hire.
  const keyGroup = { hiredOn: '2025-06-01', persons: 1, originRegion: null, groups: ['registered-unemployed' as const], contractMonths: 12 };
  const jl = (sizeClass: 'micro' | 'small' | 'medium' | 'large', staff: number, h: ApplicationFacts['hires']) =>
    app({ product: 'labour-cooperation-loan', preferentialMonths: 36, borrower: { sizeClass }, headcounts: [{ asOf: '2026-01-01', headcount: staff }], hires: h, annualRate: '0.03' });

  it('a micro firm with 5 partner-region hires passes (5 ≥ 5); with 4 of 100 staff it fails (4 < 5 and 4% < 15%)', () => {
    expect(check(JL, 'labour-cooperation-loan', jl('micro', 100, hires(5))).problems).toEqual([]);
    const r = check(JL, 'labour-cooperation-loan', jl('micro', 100, hires(4)));
    expect(broken(r)).toEqual(['jl-partner-hires:PROGRAMME.RULE_BROKEN']);
    expect(r.problems[0].observed).toMatchObject({ partnerRegionHires: '4', hiresRequired: '5', partnerRegionShare: '0.04', shareRequired: '0.15' });
  });

  it('key-group halving with an odd threshold: 5 × 50% = 2.5, rounded up to 3 persons — 3 passes, 2 fails', () => {
    const three = check(JL, 'labour-cooperation-loan', jl('micro', 100, hires(3, [keyGroup])));
    expect(three.facts).toMatchObject({ hiresRequired: '3', shareRequired: '0.075' });
    expect(three.problems).toEqual([]);
    expect(broken(check(JL, 'labour-cooperation-loan', jl('micro', 100, hires(2, [keyGroup]))))).toEqual(['jl-partner-hires:PROGRAMME.RULE_BROKEN']);
  });

  it('a large firm at exactly 10%: 30 of 300 staff passes on the share (30 < 40 persons); 29 (9.67%) fails', () => {
    const r = check(JL, 'labour-cooperation-loan', jl('large', 300, hires(30)));
    expect(r.facts).toMatchObject({ partnerRegionShare: '0.1', shareRequired: '0.1', hiresRequired: '40' });
    expect(r.problems).toEqual([]);
    expect(broken(check(JL, 'labour-cooperation-loan', jl('large', 300, hires(29))))).toEqual(['jl-partner-hires:PROGRAMME.RULE_BROKEN']);
  });

  it('a large firm hiring key groups: 40 × 50% = 20 persons suffice out of 1,000 staff (2%)', () => {
    expect(check(JL, 'labour-cooperation-loan', jl('large', 1000, hires(20, [keyGroup]))).problems).toEqual([]);
  });

  it('hires from a region the partial partner list does not name cannot decide a failing test (attachment 3 is not in the seed)', () => {
    const other = { hiredOn: '2025-06-01', persons: 9, originRegion: '220300', groups: [], contractMonths: 12 };
    const r = check(JL, 'labour-cooperation-loan', jl('small', 100, hires(1, [other])));
    expect(r.problems).toEqual([expect.objectContaining({ rule: 'jl-partner-hires', code: 'PROGRAMME.FIGURE_MISSING', missing: [expect.objectContaining({ name: 'tables.partnerRegions' })] })]);
    // Enough hires from the named region pass whatever the rest of the list holds.
    expect(check(JL, 'labour-cooperation-loan', jl('small', 100, hires(10, [other]))).problems).toEqual([]);
  });

  it('hires on contracts under 3 months do not count (三(三) 3个月以上劳动合同)', () => {
    const short = [{ hiredOn: '2025-06-01', persons: 5, originRegion: '222401', groups: [], contractMonths: 2 }];
    expect(broken(check(JL, 'labour-cooperation-loan', jl('micro', 100, short)))).toEqual(['jl-partner-hires:PROGRAMME.RULE_BROKEN']);
  });

  it('rate above the LPR for the term warns (原则上); a preferential period of 37 months is refused; none given cannot be decided', () => {
    const base = jl('micro', 100, hires(5));
    const rate = check(JL, 'labour-cooperation-loan', { ...base, annualRate: '0.0301', lprForTerm: '0.03' });
    expect([rate.refused, rate.warnings.map((w) => w.rule)]).toEqual([false, ['jl-rate-lpr']]);
    expect(check(JL, 'labour-cooperation-loan', { ...base, annualRate: '0.03', lprForTerm: '0.03' }).problems).toEqual([]);
    expect(broken(check(JL, 'labour-cooperation-loan', { ...base, preferentialMonths: 37 }))).toEqual(['jl-preferential-period:PROGRAMME.RULE_BROKEN']);
    expect(broken(check(JL, 'labour-cooperation-loan', { ...base, preferentialMonths: null }))).toEqual(['jl-preferential-period:PROGRAMME.FACT_MISSING']);
  });
});

describe('Xinxiang 2022 start-up guarantee loans (xinxiang-risk-compensation-excerpts-2022.txt （四）)', () => {
  const newHires = (persons: number, contractMonths = 12, hiredOn = '2026-01-15') => [{ hiredOn, persons, originRegion: null, groups: ['startup-loan-eligible' as const], contractMonths }];
  const xx = (staff: number, h: ApplicationFacts['hires'], amount = '3000000.00') =>
    app({ product: 'startup-guarantee-loan', amount, borrower: { sizeClass: 'small' }, headcounts: [{ asOf: '2026-02-01', headcount: staff }], hires: h });

  it('15% of staff exactly: 15 new hires of 100 passes; 14 (14%) is refused', () => {
    expect(check(XX, 'startup-guarantee-loan', xx(100, newHires(15))).problems).toEqual([]);
    expect(broken(check(XX, 'startup-guarantee-loan', xx(100, newHires(14))))).toEqual(['xx-startup-new-hires:PROGRAMME.RULE_BROKEN']);
  });

  it('above 100 staff the bar is 8%: 9 of 101 (8.91%) passes, 8 of 101 (7.92%) is refused', () => {
    const nine = check(XX, 'startup-guarantee-loan', xx(101, newHires(9)));
    expect(nine.facts.newHiresShareRequired).toBe('0.08');
    expect(nine.problems).toEqual([]);
    expect(broken(check(XX, 'startup-guarantee-loan', xx(101, newHires(8))))).toEqual(['xx-startup-new-hires:PROGRAMME.RULE_BROKEN']);
  });

  it('contracts under a year and last year’s hires do not count (当年新招用, 1年以上劳动合同)', () => {
    expect(broken(check(XX, 'startup-guarantee-loan', xx(100, newHires(15, 11))))).toEqual(['xx-startup-new-hires:PROGRAMME.RULE_BROKEN']);
    expect(broken(check(XX, 'startup-guarantee-loan', xx(100, newHires(15, 12, '2025-12-31'))))).toEqual(['xx-startup-new-hires:PROGRAMME.RULE_BROKEN']);
  });

  it('at most 3,000,000: 3,000,000.01 is refused', () => {
    expect(broken(check(XX, 'startup-guarantee-loan', xx(100, newHires(15), '3000000.01')))).toEqual(['xx-startup-amount:PROGRAMME.RULE_BROKEN']);
  });
});

describe('a loaded document that names the wrong thing', () => {
  it('a ratio over a text fact or a step over a bad bound is a missing figure (the registration is refused with it), never a crash', () => {
    const product = XX.products.find((p) => p.code === 'startup-guarantee-loan');
    if (!product) throw new Error('no product');
    const odd: ProgrammeDocument = {
      ...XX,
      products: [
        {
          ...product,
          derived: {
            ...product.derived,
            newHiresShare: { calculator: 'ratio', params: { numerator: 'sizeClass', denominator: 'headcount' } },
            newHiresShareRequired: { calculator: 'step-by-fact', params: { fact: 'headcount', steps: [{ upTo: 'many', value: '0.15' }] } },
          },
        },
      ],
    };
    const r = check(odd, 'startup-guarantee-loan', app({ amount: '3000000.00', borrower: { sizeClass: 'small' }, headcounts: [{ asOf: '2026-02-01', headcount: 100 }] }));
    expect(r.refused).toBe(true);
    expect(broken(r)).toEqual(['xx-startup-new-hires:PROGRAMME.FIGURE_MISSING']);
  });
});
