import { groupKeyOf } from './group-key';

describe('groupKeyOf (A 第七条: one agency per enterprise group)', () => {
  it('files a borrower in a group under the group', () => {
    expect(groupKeyOf({ code: 'B1', groupCode: 'G7' })).toBe('group:G7');
  });

  it('files a borrower in no group under itself', () => {
    expect(groupKeyOf({ code: 'B1', groupCode: null })).toBe('borrower:B1');
  });
});
