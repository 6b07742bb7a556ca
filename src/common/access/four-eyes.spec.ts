import { DomainError } from '../errors/domain-error';
import { assertFourEyes } from './four-eyes';
import type { Principal } from './principal';

const t1: Principal = { tokenId: 'token-1', role: 'trustee', partyCode: null };

describe('assertFourEyes (maker-checker, issue #15)', () => {
  it('refuses the checker that made a step, listing only its own steps: claim A by t1, B by t2, t1 approving [A, B] → 403 for A', () => {
    let error: unknown;
    try {
      assertFourEyes(t1, 'approve', [
        { target: 'claim A', makerTokenId: 'token-1', ids: { claimId: 'A' } },
        { target: 'claim B', makerTokenId: 'token-2', ids: { claimId: 'B' } },
      ]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'AUTH.FOUR_EYES', kind: 'forbidden', details: [expect.objectContaining({ code: 'AUTH.FOUR_EYES', claimId: 'A' })] });
    expect((error as DomainError).details).toHaveLength(1);
  });

  it('lets another token check, and steps without a recorded maker pass', () => {
    expect(() => assertFourEyes(t1, 'approve', [{ target: 'claim B', makerTokenId: 'token-2' }, { target: 'claim C', makerTokenId: null }])).not.toThrow();
  });
});
