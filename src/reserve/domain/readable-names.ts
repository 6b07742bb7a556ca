/**
 * Names people read in the books (issue 17 item 2): account names and memos carry the bank's name
 * and the loan's reference beside the codes and ids, which stay exactly as they were (codes are
 * what the ledger, the reconciliation and the exports key on). Pure text helpers; a name that is
 * not known leaves the text as it was before names were added.
 *
 * Worked example: bankLabel('BANK01', '郑州银行') → "郑州银行 (BANK01)"; bankLabel('BANK01') →
 * "BANK01"; claimLabel('C1', { loanReference: 'ZZB-2025-000123', borrowerName: '河南某科技' }) →
 * "claim C1 (loan ZZB-2025-000123, 河南某科技)".
 */
export interface ReadableNames {
  /** The claiming (or funded) bank's name, from the programme's banks. */
  bankName?: string | null;
  /** The bank's own reference of the claim's loan. */
  loanReference?: string | null;
  /** The borrower's name. */
  borrowerName?: string | null;
}

export function bankLabel(bankCode: string, bankName?: string | null): string {
  return bankName ? `${bankName} (${bankCode})` : bankCode;
}

export function claimLabel(claimId: string, names?: ReadableNames): string {
  if (!names?.loanReference) return `claim ${claimId}`;
  return `claim ${claimId} (loan ${names.loanReference}${names.borrowerName ? `, ${names.borrowerName}` : ''})`;
}
