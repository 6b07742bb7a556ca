/**
 * The key of the enterprise group a borrower belongs to for the one-agency-per-group rule
 * (A 第七条): `group:<groupCode>` for a borrower in a group, `borrower:<code>` for one standing
 * alone. Loans and approved changes of agency are filed under this key.
 */
export function groupKeyOf(borrower: { code: string; groupCode: string | null }): string {
  return borrower.groupCode ? `group:${borrower.groupCode}` : `borrower:${borrower.code}`;
}
