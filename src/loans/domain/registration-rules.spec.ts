import { readFileSync } from 'fs';
import { join } from 'path';
import { Money } from '../../common/money/money';
import { Rate } from '../../common/money/rate';
import { HENAN_2021 } from '../../programme/domain/henan-versions';
import { parseLprCsv, parsePbocCsv } from '../../programme/domain/reference-rates';
import { chooseRevenueYear, type RevenueRecord } from './compensation-ratio.calculator';
import { checkRegistration, latestGroupEvent, type RegistrationFacts } from './registration-rules';

const data = (name: string) => readFileSync(join(__dirname, '../../../data', name), 'utf8');
const rates = { lpr: parseLprCsv(data('lpr-history.csv')), pboc: parsePbocCsv(data('pboc-benchmark-history.csv')) };
/** The LPR reading of the rate cap, which these examples were written with (the default is the PBoC benchmark). */
const policy = { ...HENAN_2021, rateCapBasis: 'lpr' as const };

const RENEWED = '3c1d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const PARTIES = 'RULES §2; S 二(二)3, A 第五条';
const GROUP = 'RULES §2; A 第七条';

function revenueChoice(registeredOn: string, revenues: RevenueRecord[] = [{ year: 2024, amount: Money.of('18000000.00') }]) {
  return chooseRevenueYear({ registeredOn, revenues }, policy);
}

/**
 * A registration that breaks no rule: BANK01 with AG01 (agreement signed 2021-10-01), borrower
 * BR01 without a group and with no loan yet, 3,000,000.00 at 4.00% for 12 months contracted
 * 2025-03-05 (1-year LPR 3.10% → cap 4.03%), collateral 900,000.00 (30% exactly), registered
 * 2025-03-10 with 2024 revenue 18,000,000.00 recorded.
 */
function facts(overrides: Partial<RegistrationFacts> = {}, eligibility: Partial<RegistrationFacts['eligibility']> = {}): RegistrationFacts {
  return {
    bankCode: 'BANK01',
    agencyCode: 'AG01',
    borrowerCode: 'BR01',
    groupCode: null,
    registeredOn: '2025-03-10',
    renewalOf: null,
    riskReviewed: false,
    rates,
    eligibility: {
      amount: Money.of('3000000.00'),
      annualRate: Rate.of('0.04'),
      termMonths: 12,
      contractDate: '2025-03-05',
      security: 'collateral',
      collateralValue: Money.of('900000.00'),
      singleAssetException: false,
      isRenewal: false,
      borrower: { highTech: true, techSme: false },
      ...eligibility,
    },
    revenueChoice: revenueChoice('2025-03-10'),
    bankStatus: { status: 'active', reason: null, since: null },
    agencyStatus: { status: 'active', reason: null, since: null },
    agreement: { signedOn: '2021-10-01' },
    renewalTarget: null,
    groupLatestEvent: null,
    changeToAgency: null,
    ...overrides,
  };
}

/** A renewal of loan ZZ-1 of BR01 with BANK01, registered 2025-03-10, for 6 months. */
const renewal = (overrides: Partial<RegistrationFacts> = {}) =>
  facts(
    {
      registeredOn: '2025-05-06',
      revenueChoice: revenueChoice('2025-05-06'),
      renewalOf: RENEWED,
      renewalTarget: { borrowerCode: 'BR01', bankCode: 'BANK01', reference: 'ZZ-1', registeredOn: '2025-03-10' },
      ...overrides,
    },
    { isRenewal: true, termMonths: 6 },
  );

const texts = (f: RegistrationFacts, rule: string) => checkRegistration(f, policy).breakdown.filter((s) => s.rule === rule).map((s) => s.text);

describe('checkRegistration (RULES §2, §3, §6; S 二(一), S 二(二)3, A 第五、七条, B 第七、十七条)', () => {
  it('RULES §2, §3: every rule holds → no violation; the breakdown says how each rule went, policy version first', () => {
    const r = checkRegistration(facts(), policy);
    expect(r.violations).toEqual([]);
    expect(r.breakdown[0]).toEqual({
      rule: 'RULES §11a',
      text: 'Policy version henan-2021 of henan-tech-loan in force on 2025-03-10 (effective from 2021-10-30)',
      value: 'henan-2021',
    });
    // Then the eligibility steps (ending with the verdict), the revenue year, the parties, the group.
    expect(r.breakdown.slice(-6)).toEqual([
      { rule: 'RULES §2', text: 'All tech-loan conditions hold: eligible', value: 'eligible' },
      { rule: 'RULES §3 Decision; B 第九条', text: 'Registered 2025-03-10: prior-year (2024) revenue is recorded: 18,000,000.00', value: '2024' },
      { rule: PARTIES, text: 'Bank BANK01 status on 2025-03-10: active', value: 'active' },
      { rule: PARTIES, text: 'Agency AG01 status on 2025-03-10: active', value: 'active' },
      { rule: PARTIES, text: 'Tri-party agreement BANK01 × AG01 signed 2021-10-01' },
      { rule: GROUP, text: 'The borrower has no agency yet: AG01 may serve it' },
    ]);
  });

  it('RULES §6; S 二(二)3, B 第十七条: a bank in suspended_new registers no new loan → LOAN.BANK_NOT_ACTIVE', () => {
    const r = checkRegistration(facts({ bankStatus: { status: 'suspended_new', reason: 'loss rate 4.8%', since: '2025-01-25' } }), policy);
    expect(r.violations).toEqual([
      {
        code: 'LOAN.BANK_NOT_ACTIVE',
        field: 'bankCode',
        message: 'Bank BANK01 is suspended_new since 2025-01-25 (loss rate 4.8%): no new loans',
        status: 'suspended_new',
        since: '2025-01-25',
      },
    ]);
    expect(texts(facts({ bankStatus: { status: 'suspended_new', reason: null, since: '2025-01-25' } }), PARTIES)[0]).toBe(
      'Bank BANK01 status on 2025-03-10: suspended_new',
    );
  });

  it('RULES §6 "Renewals"; B 第十七条 (原有业务可…开展续贷业务): a bank in suspended_new may still register a renewal after risk review', () => {
    const r = checkRegistration(renewal({ riskReviewed: true, bankStatus: { status: 'suspended_new', reason: 'loss rate 4.8%', since: '2025-04-25' } }), policy);
    expect(r.violations).toEqual([]);
    expect(r.breakdown).toContainEqual({ rule: PARTIES, text: 'Bank BANK01 status on 2025-05-06: suspended_new (renewal after risk review allowed)', value: 'suspended_new' });
    expect(r.breakdown).toContainEqual({ rule: 'RULES §2 Decision; B 第七条', text: 'Renewal (续贷) of loan ZZ-1 registered 2025-03-10' });
  });

  it('RULES §6 (2026-12): the same renewal without riskReviewed → LOAN.BANK_NOT_ACTIVE saying the risk review is needed', () => {
    const r = checkRegistration(renewal({ bankStatus: { status: 'suspended_new', reason: 'loss rate 4.8%', since: '2025-04-25' } }), policy);
    expect(r.violations.map((v) => [v.code, v.message])).toEqual([
      ['LOAN.BANK_NOT_ACTIVE', 'Bank BANK01 is suspended_new since 2025-04-25 (loss rate 4.8%): a renewal needs riskReviewed: true (RULES §6)'],
    ]);
  });

  it('RULES §6; A 第十九条 (原有业务可在风险评估的基础上，开展续贷业务): an agency in the 4–6% band may serve a renewal after risk review, not a new loan', () => {
    const agencyStatus = { status: 'suspended_new', reason: 'loss rate 4.5% for 2025Q1', since: '2025-04-25' };
    expect(checkRegistration(renewal({ riskReviewed: true, agencyStatus }), policy).violations).toEqual([]);
    expect(checkRegistration(renewal({ agencyStatus }), policy).violations.map((v) => v.code)).toEqual(['LOAN.AGENCY_NOT_ACTIVE']);
    expect(checkRegistration(facts({ agencyStatus, riskReviewed: true }), policy).violations.map((v) => v.code)).toEqual(['LOAN.AGENCY_NOT_ACTIVE']);
  });

  it('RULES §6: an agency above 6% (suspended_focus) serves no renewal even after risk review', () => {
    const agencyStatus = { status: 'suspended_focus', reason: 'loss rate 6.5%', since: '2025-04-25' };
    expect(checkRegistration(renewal({ riskReviewed: true, agencyStatus }), policy).violations.map((v) => v.code)).toEqual(['LOAN.AGENCY_NOT_ACTIVE']);
  });

  it('RULES §6; B 第十八条: a disqualified bank registers not even a renewal → LOAN.BANK_NOT_ACTIVE', () => {
    const r = checkRegistration(renewal({ bankStatus: { status: 'disqualified', reason: 'no disbursement for 3 years', since: '2025-05-01' } }), policy);
    expect(r.violations.map((v) => [v.code, v.message])).toEqual([
      ['LOAN.BANK_NOT_ACTIVE', 'Bank BANK01 is disqualified since 2025-05-01 (no disbursement for 3 years): no new loans'],
    ]);
  });

  it('RULES §2, §6; A 第五条, 第十九条: an agency that is not active → LOAN.AGENCY_NOT_ACTIVE', () => {
    const f = facts({ agencyStatus: { status: 'suspended_focus', reason: 'loss rate above 6%', since: '2025-01-25' } });
    expect(checkRegistration(f, policy).violations).toEqual([
      {
        code: 'LOAN.AGENCY_NOT_ACTIVE',
        field: 'agencyCode',
        message: 'Agency AG01 is suspended_focus since 2025-01-25 (loss rate above 6%): no new loans',
        status: 'suspended_focus',
        since: '2025-01-25',
      },
    ]);
    expect(texts(f, PARTIES)[1]).toBe('Agency AG01 status on 2025-03-10: suspended_focus');
  });

  it('RULES §2; S 二(二)3, A 第五条: no tri-party agreement → LOAN.NO_AGREEMENT (and no agreement step in the breakdown)', () => {
    const f = facts({ agreement: null });
    expect(checkRegistration(f, policy).violations).toEqual([
      { code: 'LOAN.NO_AGREEMENT', message: 'Bank BANK01 and agency AG01 have no tri-party agreement', bankCode: 'BANK01', agencyCode: 'AG01' },
    ]);
    expect(texts(f, PARTIES)).toEqual(['Bank BANK01 status on 2025-03-10: active', 'Agency AG01 status on 2025-03-10: active']);
  });

  it('RULES §2; S 二(二)3, A 第五条: an agreement signed 2025-03-11, after the registration on 2025-03-10 → LOAN.NO_AGREEMENT', () => {
    expect(checkRegistration(facts({ agreement: { signedOn: '2025-03-11' } }), policy).violations).toEqual([
      {
        code: 'LOAN.NO_AGREEMENT',
        message: 'The tri-party agreement of bank BANK01 and agency AG01 was signed on 2025-03-11, after 2025-03-10',
        bankCode: 'BANK01',
        agencyCode: 'AG01',
      },
    ]);
  });

  it('RULES §2; S 二(二)3: an agreement signed on the registration date itself is in force', () => {
    const f = facts({ registeredOn: '2025-03-11', revenueChoice: revenueChoice('2025-03-11'), agreement: { signedOn: '2025-03-11' } });
    expect(checkRegistration(f, policy).violations).toEqual([]);
    expect(texts(f, PARTIES)[2]).toBe('Tri-party agreement BANK01 × AG01 signed 2025-03-11');
  });

  it('RULES §2 Decision; B 第七条: a renewal of another borrower’s loan → LOAN.RENEWAL_OF_INVALID', () => {
    const f = renewal({ renewalTarget: { borrowerCode: 'BR99', bankCode: 'BANK01', reference: 'ZZ-9', registeredOn: '2025-03-10' } });
    expect(checkRegistration(f, policy).violations).toEqual([
      {
        code: 'LOAN.RENEWAL_OF_INVALID',
        field: 'renewalOf',
        message: `renewalOf ${RENEWED} is not a registered loan of borrower BR01 with bank BANK01`,
      },
    ]);
  });

  it('RULES §2 Decision; B 第七条: a renewal of a loan with another bank, or of no registered loan, is refused alike', () => {
    const otherBank = renewal({ renewalTarget: { borrowerCode: 'BR01', bankCode: 'BANK02', reference: 'ZZ-2', registeredOn: '2025-03-10' } });
    const unknown = renewal({ renewalTarget: null });
    expect(checkRegistration(otherBank, policy).violations.map((v) => v.code)).toEqual(['LOAN.RENEWAL_OF_INVALID']);
    expect(checkRegistration(unknown, policy).violations.map((v) => v.code)).toEqual(['LOAN.RENEWAL_OF_INVALID']);
  });

  it('RULES §2; A 第七条: a group served by another agency → LOAN.GROUP_SERVED_BY_OTHER_AGENCY', () => {
    const f = facts({ groupCode: 'GRP1', groupLatestEvent: { agencyCode: 'AG02', kind: 'loan', onDate: '2025-02-01' } });
    expect(checkRegistration(f, policy).violations).toEqual([
      {
        code: 'LOAN.GROUP_SERVED_BY_OTHER_AGENCY',
        field: 'agencyCode',
        message: 'Group GRP1 is served by agency AG02; agency AG01 needs an approved change of agency first',
        servedBy: 'AG02',
        groupCode: 'GRP1',
      },
    ]);
    expect(texts(f, GROUP)).toEqual(['Group GRP1 is served by AG02, not AG01']);
  });

  it('RULES §2; A 第七条: a borrower without a group is its own group, served by the agency of its last loan', () => {
    const f = facts({ groupLatestEvent: { agencyCode: 'AG01', kind: 'loan', onDate: '2025-02-01' } });
    expect(checkRegistration(f, policy).violations).toEqual([]);
    expect(texts(f, GROUP)).toEqual(['The borrower is served by AG01']);
  });

  it('RULES §2; A 第七条 (授信额度不得高于原专业机构授信额度): 1,500,000.00 + 600,000.00 = 2,100,000.00 > 2,000,000.00 within a year of the change → LOAN.CREDIT_LINE_ABOVE_PREVIOUS', () => {
    // Change to AG01 approved 2025-04-01, previous line 2,000,000.00; 1,500,000.00 registered with AG01 since.
    const f = facts(
      {
        groupCode: 'GRP1',
        registeredOn: '2025-05-02',
        revenueChoice: revenueChoice('2025-05-02'),
        groupLatestEvent: { agencyCode: 'AG01', kind: 'loan', onDate: '2025-04-02' },
        changeToAgency: { approvedOn: '2025-04-01', previousCreditLine: Money.of('2000000.00'), loansSinceChange: Money.of('1500000.00') },
      },
      { amount: Money.of('600000.00'), collateralValue: Money.of('0.00') },
    );
    const text = 'Within one year of the change approved 2025-04-01: new credit line 2,100,000.00 > previous 2,000,000.00';
    expect(checkRegistration(f, policy).violations).toEqual([
      {
        code: 'LOAN.CREDIT_LINE_ABOVE_PREVIOUS',
        field: 'amount',
        message: `${text}: the new credit line may not exceed the old one for a year after a change of agency`,
        newCreditLine: '2100000.00',
        previousCreditLine: '2000000.00',
        changeApprovedOn: '2025-04-01',
      },
    ]);
    expect(checkRegistration(f, policy).breakdown.filter((s) => s.rule === GROUP)).toEqual([
      { rule: GROUP, text: 'Group GRP1 is served by AG01' },
      { rule: GROUP, text, value: '2100000.00' },
    ]);
  });

  it('RULES §2; A 第七条: 1,500,000.00 + 500,000.00 = 2,000,000.00 is exactly the previous line → allowed', () => {
    const f = facts(
      {
        groupCode: 'GRP1',
        registeredOn: '2025-05-02',
        revenueChoice: revenueChoice('2025-05-02'),
        groupLatestEvent: { agencyCode: 'AG01', kind: 'loan', onDate: '2025-04-02' },
        changeToAgency: { approvedOn: '2025-04-01', previousCreditLine: Money.of('2000000.00'), loansSinceChange: Money.of('1500000.00') },
      },
      { amount: Money.of('500000.00'), collateralValue: Money.of('0.00') },
    );
    expect(checkRegistration(f, policy).violations).toEqual([]);
    expect(texts(f, GROUP)[1]).toBe('Within one year of the change approved 2025-04-01: new credit line 2,000,000.00 ≤ previous 2,000,000.00');
  });

  it('RULES §2; A 第七条 (一年内): on 2026-04-01, a year after the change of 2025-04-01, the previous line no longer caps the group', () => {
    // 2025-04-01 + 12 months = 2026-04-01: not before it, so no cap (3,000,000.00 + 1,500,000.00 would exceed 2,000,000.00).
    const f = facts({
      groupCode: 'GRP1',
      registeredOn: '2026-04-01',
      revenueChoice: revenueChoice('2026-04-01', [{ year: 2025, amount: Money.of('18000000.00') }]),
      groupLatestEvent: { agencyCode: 'AG01', kind: 'loan', onDate: '2025-04-02' },
      changeToAgency: { approvedOn: '2025-04-01', previousCreditLine: Money.of('2000000.00'), loansSinceChange: Money.of('1500000.00') },
    }, { contractDate: '2026-03-20', annualRate: Rate.of('0.039') });
    expect(checkRegistration(f, policy).violations).toEqual([]);
    expect(texts(f, GROUP)).toEqual(['Group GRP1 is served by AG01']);
  });

  it('RULES §2, §3, §6; A 第五、七条: several broken rules at once → every one, in rule order', () => {
    // Eligibility (collateral 1,000,000.00 > 900,000.00; rate 5% > 4.03%; borrower not qualified),
    // revenue missing, bank disqualified, agency suspended_new, no agreement, renewal of another
    // borrower's loan, group served by another agency: 9 violations.
    const f = facts(
      {
        groupCode: 'GRP9',
        renewalOf: RENEWED,
        revenueChoice: revenueChoice('2025-03-10', []),
        bankStatus: { status: 'disqualified', reason: 'dormant', since: '2025-03-01' },
        agencyStatus: { status: 'suspended_new', reason: 'a reason', since: '2025-03-02' },
        agreement: null,
        renewalTarget: { borrowerCode: 'BR77', bankCode: 'BANK01', reference: 'ZZ-7', registeredOn: '2025-01-10' },
        groupLatestEvent: { agencyCode: 'AG02', kind: 'loan', onDate: '2025-02-01' },
      },
      {
        annualRate: Rate.of('0.05'),
        collateralValue: Money.of('1000000.00'),
        termMonths: 6,
        isRenewal: true,
        borrower: { highTech: false, techSme: false },
      },
    );
    const r = checkRegistration(f, policy);
    expect(r.violations.map((v) => v.code)).toEqual([
      'LOAN.COLLATERAL_TOO_HIGH',
      'LOAN.RATE_ABOVE_CAP',
      'LOAN.BORROWER_NOT_QUALIFIED',
      'LOAN.REVENUE_MISSING',
      'LOAN.BANK_NOT_ACTIVE',
      'LOAN.AGENCY_NOT_ACTIVE',
      'LOAN.NO_AGREEMENT',
      'LOAN.RENEWAL_OF_INVALID',
      'LOAN.GROUP_SERVED_BY_OTHER_AGENCY',
    ]);
    expect(r.violations.slice(3).map((v) => v.message)).toEqual([
      'No revenue recorded for 2024 or 2023; a registration on 2025-03-10 needs one of them',
      'Bank BANK01 is disqualified since 2025-03-01 (dormant): no new loans',
      'Agency AG01 is suspended_new since 2025-03-02 (a reason): a renewal needs riskReviewed: true (RULES §6)',
      'Bank BANK01 and agency AG01 have no tri-party agreement',
      `renewalOf ${RENEWED} is not a registered loan of borrower BR01 with bank BANK01`,
      'Group GRP9 is served by agency AG02; agency AG01 needs an approved change of agency first',
    ]);
  });
});

describe('latestGroupEvent (A 第七条: who serves the group on the registration date)', () => {
  const loan = { agencyCode: 'AG01', registeredOn: '2025-03-10' };

  it('no loan and no change → null (the group has no agency yet)', () => {
    expect(latestGroupEvent(null, null)).toBeNull();
  });

  it('only a loan → the loan’s agency', () => {
    expect(latestGroupEvent(loan, null)).toEqual({ agencyCode: 'AG01', kind: 'loan', onDate: '2025-03-10' });
  });

  it('only a change → the agency changed to', () => {
    expect(latestGroupEvent(null, { toAgencyCode: 'AG02', approvedOn: '2025-04-01' })).toEqual({
      agencyCode: 'AG02',
      kind: 'change',
      onDate: '2025-04-01',
    });
  });

  it('a change after the latest loan wins', () => {
    expect(latestGroupEvent(loan, { toAgencyCode: 'AG02', approvedOn: '2025-03-11' })?.agencyCode).toBe('AG02');
  });

  it('a loan after the latest change wins', () => {
    expect(latestGroupEvent(loan, { toAgencyCode: 'AG02', approvedOn: '2025-03-09' })).toEqual({
      agencyCode: 'AG01',
      kind: 'loan',
      onDate: '2025-03-10',
    });
  });

  it('on the same date the change wins over the loan', () => {
    expect(latestGroupEvent(loan, { toAgencyCode: 'AG02', approvedOn: '2025-03-10' })).toEqual({
      agencyCode: 'AG02',
      kind: 'change',
      onDate: '2025-03-10',
    });
  });
});
