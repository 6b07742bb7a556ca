import { HENAN_2021_BASE, PolicyVersion, parseLprCsv, policyInForce } from './policy-version';

/**
 * The default policy version: the 2021 Henan scheme (HENAN_2021_BASE) with the LPR table parsed
 * from the text of data/lpr-history.csv. Pure: the caller reads the file and passes its text.
 * Example: buildDefaultPolicy(readFileSync('data/lpr-history.csv', 'utf8')).lpr[0] =
 * { effectiveFrom: '2019-08-20', oneYear: '0.0425', fiveYear: '0.0485' }.
 */
export function buildDefaultPolicy(lprCsvText: string): PolicyVersion {
  const lpr = parseLprCsv(lprCsvText);
  if (lpr.length === 0) throw new Error('LPR table: no rows');
  return { ...HENAN_2021_BASE, lpr };
}

/**
 * The policy version that governs a loan registered on `registeredOn` (a loan keeps it for life):
 * the latest version with effectiveFrom ≤ registeredOn; for a date before every version, the
 * earliest version (the programme's first rules are the best description of earlier loans).
 * Throws when no version is configured (a deployment error, not a user error).
 */
export function policyForRegistration(
  versions: readonly PolicyVersion[],
  registeredOn: string,
): PolicyVersion {
  if (versions.length === 0) throw new Error('no policy version configured');
  const inForce = policyInForce(versions, registeredOn);
  if (inForce) return inForce;
  return versions.reduce((earliest, v) =>
    v.effectiveFrom < earliest.effectiveFrom ? v : earliest,
  );
}
