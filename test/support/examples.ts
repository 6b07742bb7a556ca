/**
 * RULES §4 example A as API.md writes it: the `POST /v1/calculators/compensation` body and the
 * figures it answers with. 116 days from 2025-03-21 to 2025-07-15; interest
 * 3,000,000 × 116 × 0.0435 / 360 = 42,050.00; loss 3,042,050.00; 18M revenue, collateral,
 * 12 months → 0.60; × 0.60 = 1,825,230.00. Principal overdue since 2025-05-10 + 2 months =
 * eligible from 2025-07-10. Shared by the specs and the benches; frozen, so a spec that varies the
 * body spreads it and overrides.
 */
export const COMPENSATION_EXAMPLE_A = Object.freeze({
  principal: '3000000.00',
  annualRate: '0.0435',
  interestUnpaidSince: '2025-03-21',
  claimDate: '2025-07-15',
  revenue: '18000000.00',
  security: 'collateral',
  termMonths: 12,
  principalOverdueSince: '2025-05-10',
  lawsuitAcceptedOn: null,
});

/** What the calculator answers for COMPENSATION_EXAMPLE_A (API.md), besides its policy version and breakdown. */
export const COMPENSATION_EXAMPLE_A_FIGURES = Object.freeze({
  eligible: true,
  eligibleFrom: '2025-07-10',
  ratio: '0.60',
  lossAmount: '3042050.00',
  compensation: '1825230.00',
  capped: false,
  days: 116,
});
