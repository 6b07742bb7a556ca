/**
 * One step of a calculation as a person would check it by hand: what was done, with which
 * figures, under which rule. Every calculator returns its result plus these steps (issue #3).
 */
export interface BreakdownStep {
  /** RULES.md section and source article, e.g. "RULES §4; B 第十二条". */
  rule: string;
  /** A plain sentence with the arithmetic, e.g. "3,000,000.00 × 116 × 0.0435 / 360 = 42,050.00". */
  text: string;
  /** The step's result as shown (money "42050.00", rate "0.60", a date, …), when it has one. */
  value?: string;
  /** The policy version whose parameters the step used (RULES §11a), e.g. "henan-2025". */
  policyVersion?: string;
}

/**
 * The steps with the policy version that produced them (issue 11: "every changed figure shown with
 * its rule and version"); a step that already names a version keeps it.
 */
export function stampVersion(steps: readonly BreakdownStep[], policyVersion: string): BreakdownStep[] {
  return steps.map((s) => (s.policyVersion ? s : { ...s, policyVersion }));
}
