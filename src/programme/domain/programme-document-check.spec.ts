import { checkProgrammeDocument } from './programme-document-check';

const minimal = () => ({
  code: 'demo-programme',
  names: { zh: '示例', en: 'Demo' },
  sourceSeed: 'demo.txt',
  version: { id: 'demo-2026', effectiveFrom: '2026-01-01', effectiveTo: null },
  registersHere: true,
  tables: {},
  products: [
    {
      code: 'loan',
      names: { zh: '贷款', en: 'Loan' },
      borrowerTypes: ['enterprise'],
      parameters: { amountMax: '1000000.00' },
      derived: {},
      declarations: [],
      rules: [{ id: 'cap', severity: 'hard', test: { fact: 'amount', op: 'lte', value: { param: 'amountMax' } }, text: { zh: '上限', en: 'Cap' }, source: 'demo.txt 1' }],
      source: 'demo.txt',
    },
  ],
  flows: [],
  calculators: [],
  reporting: [],
  missing: [],
  decisions: [],
});

describe('checkProgrammeDocument', () => {
  it('accepts a minimal document', () => {
    expect(checkProgrammeDocument(minimal()).problems).toEqual([]);
  });

  it('lists every problem at once: an unknown fact, an unknown parameter, a number as a figure, an unknown flow kind, a flow on an unknown product', () => {
    const doc = minimal();
    doc.products[0].rules.push({ id: 'x', severity: 'hard', test: { fact: 'turnover', op: 'lte', value: { param: 'nope' } }, text: { zh: 'x', en: 'x' }, source: 's' });
    (doc.products[0].parameters as Record<string, unknown>).ratio = 0.3;
    (doc as { flows: unknown[] }).flows.push({ kind: 'bonus', products: ['other'], parameters: {}, text: { zh: 'x', en: 'x' }, source: 's' });
    const fields = checkProgrammeDocument(doc).problems.map((p) => p.field);
    expect(fields).toEqual([
      'products[0].parameters',
      'products[0].rules[1].test.fact',
      'products[0].rules[1].test.value',
      'flows[0].kind',
      'flows[0].products',
    ]);
  });

  it('refuses a derived fact with an unknown calculator and a duplicate rule id', () => {
    const doc = minimal();
    (doc.products[0].derived as Record<string, unknown>).score = { calculator: 'magic', params: {} };
    doc.products[0].rules.push({ ...doc.products[0].rules[0] });
    expect(checkProgrammeDocument(doc).problems.map((p) => p.field)).toEqual(['products[0].derived.score.calculator', 'products[0].rules[1].id']);
  });
});
