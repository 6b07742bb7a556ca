import { addMonths, yearOf } from '../../common/calendar/iso-date';
import { D } from '../../common/money/decimal';
import type { BorrowerType, HireGroup, ParameterValue, ProductSpec, ProgrammeDocument, SizeClass } from './programme-document';

/**
 * What the engine knows about one application (issue 18): the registration, the borrower's
 * attributes, headcount history and hires, the bank's declarations, the LPR for the term, and the
 * borrower's earlier loans of the same programme. The service reads them; everything here is pure.
 */
export interface ApplicationFacts {
  product: string;
  amount: string;
  annualRate: string;
  termMonths: number;
  contractDate: string;
  registeredOn: string;
  preferentialMonths: number | null;
  borrower: {
    borrowerType: BorrowerType | null;
    sizeClass: SizeClass | null;
    establishedOn: string | null;
    region: string | null;
  };
  headcounts: { asOf: string; headcount: number }[];
  hires: { hiredOn: string; persons: number; originRegion: string | null; groups: HireGroup[]; contractMonths: number | null }[];
  declarations: { [name: string]: boolean };
  /** The LPR for the term in force on the contract date (decimal fraction); null when no row is in force. */
  lprForTerm: string | null;
  /** The borrower's loans of this programme registered before (for `outstanding-loans`). */
  programmeLoans: { product: string; contractDate: string; termMonths: number }[];
}

/** A fact's value: a decimal or date or code string, a flag, or a list of codes. */
export type FactValue = string | boolean | string[];

/** Something a rule needs and does not have: a fact of the application, or a figure the seed does not give. */
export interface Missing {
  kind: 'fact' | 'figure';
  /** The fact's name, or the figure's path in the document (`tables.unemploymentControlTarget.2024`). */
  name: string;
  reason: string;
}

/**
 * A resolved fact: its value with how it was found (a sentence for the breakdown), or what is
 * missing. `incomplete` marks a value computed from a partial table: a rule that passes with it
 * passes, a rule that fails with it cannot be decided (the missing part might have made it pass).
 */
export type FactResult = { value: FactValue; text?: string; incomplete?: Missing } | { missing: Missing };

/** Whole months from `from` to `to` (the day of month counts: 2024-03-15 → 2025-03-14 is 11 months). */
export function wholeMonthsBetween(from: string, to: string): number {
  if (to < from) return -wholeMonthsBetween(to, from);
  let months = (yearOf(to) - yearOf(from)) * 12 + (Number(to.slice(5, 7)) - Number(from.slice(5, 7)));
  while (months > 0 && addMonths(from, months) > to) months -= 1;
  return months;
}

/** The latest headcount on or before `date`, or null. */
export function headcountOn(headcounts: ApplicationFacts['headcounts'], date: string): { asOf: string; headcount: number } | null {
  let best: { asOf: string; headcount: number } | null = null;
  for (const h of headcounts) if (h.asOf <= date && (!best || h.asOf > best.asOf)) best = h;
  return best;
}

/** The base facts of BASE_FACTS (programme-vocabulary.ts) for an application. */
export function baseFact(name: string, a: ApplicationFacts): FactResult | null {
  const missingFact = (reason: string): FactResult => ({ missing: { kind: 'fact', name, reason } });
  switch (name) {
    case 'amount':
      return { value: new D(a.amount).toFixed(2) };
    case 'annualRate':
      return { value: new D(a.annualRate).toString() };
    case 'termMonths':
      return { value: String(a.termMonths) };
    case 'contractDate':
      return { value: a.contractDate };
    case 'registeredOn':
      return { value: a.registeredOn };
    case 'preferentialMonths':
      return a.preferentialMonths === null ? missingFact('the registration gives no preferentialMonths') : { value: String(a.preferentialMonths) };
    case 'borrowerType':
      return a.borrower.borrowerType ? { value: a.borrower.borrowerType } : missingFact('the borrower has no borrowerType recorded');
    case 'sizeClass':
      return a.borrower.sizeClass ? { value: a.borrower.sizeClass } : missingFact('the borrower has no sizeClass recorded');
    case 'region':
      return a.borrower.region ? { value: a.borrower.region } : missingFact('the borrower has no region recorded');
    case 'monthsEstablished': {
      if (!a.borrower.establishedOn) return missingFact('the borrower has no establishedOn recorded');
      const months = wholeMonthsBetween(a.borrower.establishedOn, a.registeredOn);
      return { value: String(months), text: `${a.borrower.establishedOn} → ${a.registeredOn}: ${months} whole months` };
    }
    case 'headcount': {
      const h = headcountOn(a.headcounts, a.registeredOn);
      return h ? { value: String(h.headcount), text: `headcount ${h.headcount} as of ${h.asOf}` } : missingFact(`no headcount recorded on or before ${a.registeredOn}`);
    }
    case 'lprForTerm':
      return a.lprForTerm === null ? missingFact(`no LPR in force on ${a.contractDate}`) : { value: a.lprForTerm, text: `LPR for a ${a.termMonths}-month term on ${a.contractDate}: ${a.lprForTerm}` };
    default:
      return null;
  }
}

/** A product's parameter by name (undefined when the product has none of that name). */
export function productParameter(product: ProductSpec, name: string): ParameterValue | undefined {
  return Object.prototype.hasOwnProperty.call(product.parameters, name) ? product.parameters[name] : undefined;
}

/** A table's rows and completeness, or undefined. */
export function tableOf(doc: ProgrammeDocument, name: string): ProgrammeDocument['tables'][string] | undefined {
  return Object.prototype.hasOwnProperty.call(doc.tables, name) ? doc.tables[name] : undefined;
}

/**
 * Whether a division code lies within a region code (GB/T 2260): the region's code without its
 * trailing "00" pairs is a prefix of the code (222400 → 2224 covers 222401 延吉市 and the other
 * counties of 延边州; 220000 covers all of Jilin).
 */
export function regionContains(region: string, code: string): boolean {
  let prefix = region;
  while (prefix.length > 2 && prefix.endsWith('00')) prefix = prefix.slice(0, -2);
  return code.startsWith(prefix);
}

/** The registration year minus `yearsBefore` (for `table-by-year`). */
export function yearBefore(registeredOn: string, yearsBefore: number): number {
  return yearOf(registeredOn) - yearsBefore;
}
