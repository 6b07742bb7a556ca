import { DomainError } from '../../common/errors/domain-error';
import {
  allowedFrom,
  canApply,
  CLAIM_ACTIONS,
  CLAIM_STATUSES,
  CLAIM_TRANSITIONS,
  ClaimAction,
  ClaimStatus,
  GRANTED_STATUSES,
  nextStatus,
} from './claim-lifecycle';

const CLAIM_ID = '5f0c2a8e-1b2d-4c3e-9f40-0a1b2c3d4e5f';

/**
 * Every allowed transition, written out by hand from RULES §4/§5 (not read from the table), so a
 * change to the table fails here. Each row: status, action, next status; statuses and actions in
 * their lifecycle order.
 */
const ALLOWED: [ClaimStatus, ClaimAction, ClaimStatus][] = [
  ['filed', 'start_review', 'under_review'], // R 第十三条
  ['filed', 'recommend', 'recommended'], // R 第十三条: the review may start from filed
  ['filed', 'reject', 'rejected'],
  ['under_review', 'recommend', 'recommended'],
  ['under_review', 'reject', 'rejected'],
  ['recommended', 'approve', 'approved'], // R 第十四条
  ['approved', 'pay', 'paid'], // R 第十五、十八条
  ['paid', 'receipt', 'receipted'], // R 第十六条
  ['paid', 'record_recovery', 'paid'], // R 第十七条: a recovery and its refund keep the status
  ['paid', 'record_refund', 'paid'],
  ['paid', 'write_off', 'written_off'], // R 第十九条
  ['receipted', 'record_recovery', 'receipted'],
  ['receipted', 'record_refund', 'receipted'],
  ['receipted', 'write_off', 'written_off'],
];

/** The refusal of each action: its phrase and the statuses it needs, as the service has always said. */
const REFUSAL: Record<ClaimAction, { what: string; allowed: ClaimStatus[] }> = {
  start_review: { what: 'starting the review', allowed: ['filed'] },
  recommend: { what: 'a review', allowed: ['filed', 'under_review'] },
  reject: { what: 'a review', allowed: ['filed', 'under_review'] },
  approve: { what: 'an approval', allowed: ['recommended'] },
  pay: { what: 'a payout', allowed: ['approved'] },
  receipt: { what: 'a receipt', allowed: ['paid'] },
  record_recovery: { what: 'a recovery', allowed: ['paid', 'receipted'] },
  record_refund: { what: 'a refund', allowed: ['paid', 'receipted'] },
  write_off: { what: 'a write-off', allowed: ['paid', 'receipted'] },
};

const expected = (status: ClaimStatus, action: ClaimAction) => ALLOWED.find(([s, a]) => s === status && a === action)?.[2];

function refusal(status: ClaimStatus, action: ClaimAction): DomainError {
  try {
    nextStatus(CLAIM_ID, status, action);
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error(`${status} × ${action} was not refused`);
}

describe('claim lifecycle (RULES §4 "Claim lifecycle", §5; R 第十三–十九条)', () => {
  it('RULES §4: eight statuses and nine actions, in lifecycle order', () => {
    expect(CLAIM_STATUSES).toEqual(['filed', 'under_review', 'recommended', 'rejected', 'approved', 'paid', 'receipted', 'written_off']);
    expect(CLAIM_ACTIONS).toEqual(['start_review', 'recommend', 'reject', 'approve', 'pay', 'receipt', 'record_recovery', 'record_refund', 'write_off']);
  });

  it('RULES §4, §5: the table holds exactly the 14 transitions written out above', () => {
    const fromTable = CLAIM_STATUSES.flatMap((s) =>
      CLAIM_ACTIONS.filter((a) => CLAIM_TRANSITIONS[s][a] !== undefined).map((a) => [s, a, CLAIM_TRANSITIONS[s][a]]),
    );
    expect(fromTable).toEqual(ALLOWED);
  });

  describe.each(CLAIM_STATUSES.flatMap((s) => CLAIM_ACTIONS.map((a) => [s, a] as const)))('RULES §4: %s × %s', (status, action) => {
    const next = expected(status, action);
    if (next !== undefined) {
      it(`is allowed → ${next}`, () => {
        expect(canApply(status, action)).toBe(true);
        expect(nextStatus(CLAIM_ID, status, action)).toBe(next);
      });
    } else {
      it(`is refused: 409 CLAIM.WRONG_STATUS, ${REFUSAL[action].what} needs ${REFUSAL[action].allowed.join(' or ')}`, () => {
        expect(canApply(status, action)).toBe(false);
        const e = refusal(status, action);
        expect(e.code).toBe('CLAIM.WRONG_STATUS');
        expect(e.kind).toBe('conflict');
        expect(e.message).toBe(`Claim ${CLAIM_ID} is ${status}; ${REFUSAL[action].what} needs ${REFUSAL[action].allowed.join(' or ')}.`);
        expect(e.details).toEqual([
          { code: 'CLAIM.WRONG_STATUS', message: `status is ${status}`, claimId: CLAIM_ID, status, allowed: REFUSAL[action].allowed },
        ]);
      });
    }
  });

  it.each(CLAIM_ACTIONS.map((a) => [a]))('RULES §4: allowedFrom(%s) lists the statuses of its transitions, in lifecycle order', (action) => {
    expect(allowedFrom(action)).toEqual(REFUSAL[action].allowed);
  });

  it('RULES §4; R 第十五、十八条: a payout of a recommended claim, as the API shows it', () => {
    // recommended × pay is not in the table; pay needs approved.
    const e = refusal('recommended', 'pay');
    expect(e.message).toBe(`Claim ${CLAIM_ID} is recommended; a payout needs approved.`);
    expect(e.details[0].allowed).toEqual(['approved']);
  });

  it('RULES §5; R 第十七条: a refund of a written-off claim is refused; allowed on paid or receipted', () => {
    const e = refusal('written_off', 'record_refund');
    expect(e.message).toBe(`Claim ${CLAIM_ID} is written_off; a refund needs paid or receipted.`);
  });

  it('RULES §4: the whole happy path, filed to written_off, with a recovery and its refund on the way', () => {
    // filed → under_review → recommended → approved → paid → receipted (→ receipted → receipted) → written_off
    const steps: ClaimAction[] = ['start_review', 'recommend', 'approve', 'pay', 'receipt', 'record_recovery', 'record_refund', 'write_off'];
    const visited = steps.reduce<ClaimStatus[]>((acc, a) => [...acc, nextStatus(CLAIM_ID, acc[acc.length - 1], a)], ['filed']);
    expect(visited).toEqual(['filed', 'under_review', 'recommended', 'approved', 'paid', 'receipted', 'receipted', 'receipted', 'written_off']);
  });

  it('RULES §6: the granted statuses are approved and every status reachable from it (they count in net compensation)', () => {
    // approved —pay→ paid —receipt→ receipted; paid/receipted —write_off→ written_off.
    const reachable = new Set<ClaimStatus>(['approved']);
    for (let grew = true; grew; ) {
      grew = false;
      for (const status of [...reachable]) {
        for (const next of Object.values(CLAIM_TRANSITIONS[status])) {
          if (next && !reachable.has(next)) {
            reachable.add(next);
            grew = true;
          }
        }
      }
    }
    expect([...GRANTED_STATUSES].sort()).toEqual([...reachable].sort());
    expect(GRANTED_STATUSES).toEqual(['approved', 'paid', 'receipted', 'written_off']);
  });
});
