import type { PolicyVersion } from './policy-version';

/**
 * The versions of one programme, oldest first. A version of another programme never governs
 * this one's loans (RULES §11a), however its dates fall.
 */
export function versionsOfProgramme(versions: readonly PolicyVersion[], programme: string): PolicyVersion[] {
  return versions.filter((v) => v.programme === programme).sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
}

/**
 * The version of `programme` that governs a loan registered on `registeredOn` (a loan keeps it for
 * life, RULES §11a): the latest of that programme with effectiveFrom ≤ registeredOn; for a date
 * before all of them, the programme's earliest version (its first rules are the best description
 * of earlier loans). Throws when the programme has no version (a deployment error, not a user
 * error).
 *
 * Example (henan-tech-loan: henan-2021 from 2021-10-30, henan-2025 from 2025-06-01):
 * 2024-06-10 → henan-2021; 2025-05-31 → henan-2021; 2025-06-01 → henan-2025; 2021-03-01 →
 * henan-2021 (before every version).
 */
export function policyForRegistration(versions: readonly PolicyVersion[], programme: string, registeredOn: string): PolicyVersion {
  const own = versionsOfProgramme(versions, programme);
  if (own.length === 0) throw new Error(`no policy version configured for programme ${programme}`);
  let inForce: PolicyVersion | undefined;
  for (const v of own) if (v.effectiveFrom <= registeredOn) inForce = v;
  return inForce ?? own[0];
}
