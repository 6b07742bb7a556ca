/**
 * A programme as data (issue 18; docs/programmes.md "The programme document"): one JSON document
 * per programme version under data/programmes/, loaded into programme_versions. Everything a
 * programme decides — who may borrow, caps, eligibility rules, which calculators and money flows
 * it has, with their figures — is here; the engine (programme-rules.ts, programme-calculators.ts)
 * is shared by every programme. Henan's tech loans keep their Henan-shaped policy versions
 * (policy-version.ts) and their own registration; the document of henan-tech-loan only names the
 * programme and its flow.
 *
 * Amounts are decimal strings in CNY with 2 decimals, ratios decimal-fraction strings, counts
 * integer strings: a document compares value for value and never passes through binary floating
 * point. A figure the seed does not give is `null` and named in `missing`: the engine refuses to
 * compute with it (PROGRAMME.FIGURE_MISSING) rather than guess.
 */

/** The money flows a programme can have (issue 18 item 1). */
export const FLOW_KINDS = ['reserve-compensation', 'advance-compensation-with-settlement', 'interest-subsidy'] as const;
export type FlowKind = (typeof FLOW_KINDS)[number];
/** What the programmes table lists: the flows, or `none` for a programme without money flows. */
export const MONEY_FLOWS = [...FLOW_KINDS, 'none'] as const;
export type MoneyFlow = (typeof MONEY_FLOWS)[number];

export const BORROWER_TYPES = ['enterprise', 'individual'] as const;
/** 小微企业 (enterprise) or 小微企业主/个体工商户 (individual business). */
export type BorrowerType = (typeof BORROWER_TYPES)[number];

export const SIZE_CLASSES = ['micro', 'small', 'medium', 'large'] as const;
/** 微型 / 小型 / 中型 / 大型 (the national enterprise size classification). */
export type SizeClass = (typeof SIZE_CLASSES)[number];

/**
 * The groups a hire may belong to: the key groups of the seeds (脱贫人口, 就业困难人员, 登记失业人员,
 * 离校未就业高校毕业生), Guangxi's 16–24 registered unemployed youth, and Xinxiang's people who meet
 * the start-up guarantee loan's applicant conditions (符合创业担保贷款申请条件的人员).
 */
export const HIRE_GROUPS = [
  'poverty-alleviated',
  'employment-difficulty',
  'registered-unemployed',
  'unemployed-graduate',
  'unemployed-youth-16-24',
  'startup-loan-eligible',
] as const;
export type HireGroup = (typeof HIRE_GROUPS)[number];

/** A text in both languages the console shows. */
export interface Texts {
  zh: string;
  en: string;
}

/** A value in a document: a decimal string, a whole number as a string, a flag, a code list, or a figure keyed by class. */
export type ParameterValue = string | boolean | null | string[] | { [key: string]: ParameterValue } | ParameterValue[];

/** An operand of a comparison: a literal, a parameter of the product (optionally picked by a fact's value), a fact, or a table. */
export type Operand = string | boolean | string[] | { param: string; by?: string } | { fact: string } | { table: string };

export const COMPARISON_OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'notIn', 'inRegions'] as const;
export type ComparisonOp = (typeof COMPARISON_OPS)[number];

export interface Comparison {
  fact: string;
  op: ComparisonOp;
  value: Operand;
}

/** A rule's test: comparisons combined with all / any / not. */
export type Condition = Comparison | { all: Condition[] } | { any: Condition[] } | { not: Condition };

/** One eligibility rule: a failed hard rule refuses the registration, a failed soft rule warns (the bank may relax it). */
export interface RuleSpec {
  id: string;
  severity: 'hard' | 'soft';
  /** The borrower types the rule applies to; absent = all of the product's. */
  borrowerTypes?: BorrowerType[];
  test: Condition;
  text: Texts;
  /** Seed file and article, e.g. "zhejiang-employment-loans-2025.txt 二(一)". */
  source: string;
}

/** A figure computed for a registration from the borrower's facts by a named calculator (programme-calculators.ts). */
export interface DerivedFactSpec {
  calculator: string;
  params: { [key: string]: ParameterValue };
  text?: Texts;
  source?: string;
}

/** A statement the bank makes on registration (wages paid, good credit, …), a boolean fact `declared.<name>`. */
export interface DeclarationSpec {
  name: string;
  text: Texts;
}

/** One loan product of a programme (a programme may have several: Guangxi's special loan and start-up guarantee loan). */
export interface ProductSpec {
  code: string;
  names: Texts;
  borrowerTypes: BorrowerType[];
  /** The product's figures (caps, rate band, …) that rules reference with `{ "param": … }`. */
  parameters: { [key: string]: ParameterValue };
  derived: { [name: string]: DerivedFactSpec };
  declarations: DeclarationSpec[];
  rules: RuleSpec[];
  source: string;
}

/**
 * A money flow of the programme for some of its products, with its figures. The flows engineer's
 * ledger books read these through ProgrammesService.flowOf (docs/programmes.md "Contract").
 */
export interface FlowSpec {
  kind: FlowKind;
  products: string[];
  parameters: { [key: string]: ParameterValue };
  text: Texts;
  source: string;
}

/** A grant calculator of the programme (Guangxi's job-retention refund, hiring subsidies), not tied to a loan. */
export interface CalculatorSpec {
  id: string;
  calculator: string;
  params: { [key: string]: ParameterValue };
  text: Texts;
  source: string;
}

/** A data table a rule reads: region codes (a list) or figures by key (e.g. by year). */
export interface TableSpec {
  text: Texts;
  source: string;
  /** A list of codes (partner regions) or figures by key (a year → a rate). */
  rows: string[] | { [key: string]: string };
  /** false when the seed gives only part of the table: a key not in it cannot be decided. */
  complete: boolean;
}

/** A reporting duty of the programme (shown with its rules; the console lists them). */
export interface ReportingSpec {
  id: string;
  text: Texts;
  source: string;
}

/** A figure the seed does not give: where it would be, and why it is missing. */
export interface MissingFigure {
  /** A path into the document, e.g. "flows.reserve-compensation.tiers" or "tables.unemploymentControlTarget". */
  figure: string;
  reason: string;
}

export interface ProgrammeDocument {
  code: string;
  names: Texts;
  sourceSeed: string;
  version: { id: string; effectiveFrom: string; effectiveTo: string | null };
  /** false for a programme whose loans register through their own route (Henan's tech loans: POST /v1/loans). */
  registersHere: boolean;
  tables: { [name: string]: TableSpec };
  products: ProductSpec[];
  flows: FlowSpec[];
  calculators: CalculatorSpec[];
  reporting: ReportingSpec[];
  missing: MissingFigure[];
  /** Decisions where the seed is silent, each a sentence (shown with the rules). */
  decisions: string[];
}

/** The money flows a document has, as the programmes table lists them. */
export function moneyFlowsOf(doc: Pick<ProgrammeDocument, 'flows'>): MoneyFlow[] {
  const kinds = FLOW_KINDS.filter((k) => doc.flows.some((f) => f.kind === k));
  return kinds.length ? kinds : ['none'];
}

/** The names of a flow's parameters that are missing: null values, empty tables marked missing, or named in `missing`. */
export function missingFlowFigures(doc: Pick<ProgrammeDocument, 'missing'>, flow: FlowSpec): string[] {
  const names = new Set<string>();
  for (const [name, value] of Object.entries(flow.parameters)) if (value === null) names.add(name);
  const prefix = `flows.${flow.kind}.`;
  for (const m of doc.missing) if (m.figure.startsWith(prefix)) names.add(m.figure.slice(prefix.length));
  return [...names].sort();
}
