import type { BreakdownStep } from '../common/breakdown';

/**
 * What the programme asks the claims module for `GET /v1/banks/{code}` (RULES §11a, henan-2025):
 * the bank's room under the per-bank annual cap on a date. The programme declares the port and
 * the claims module provides it (it knows the approved compensation and asks the loans module
 * for the balance), so the programme never imports either.
 */
export const BANK_ANNUAL_ROOM = Symbol('BANK_ANNUAL_ROOM');

export interface BankAnnualRoomView {
  year: number;
  policyVersion: string;
  balancePreviousYearEnd: string;
  capByBalance: string;
  capAmount: string | null;
  cap: string;
  approved: string;
  room: string;
  breakdown: BreakdownStep[];
}

export interface BankAnnualRoomPort {
  /** The room on `date` under the version in force then; null when that version has no annual cap. */
  roomOn(bankCode: string, date: string): Promise<BankAnnualRoomView | null>;
}
