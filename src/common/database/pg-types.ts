import { types } from 'pg';

/**
 * Keep PostgreSQL `date` values as 'YYYY-MM-DD' strings: the default parser turns them into a JS
 * Date at local midnight, which shifts business dates across time zones. int8 (bigint) stays a
 * string too (pg's default), and numeric stays a string for decimal.js.
 */
let installed = false;
export function installPgTypeParsers(): void {
  if (installed) return;
  types.setTypeParser(types.builtins.DATE, (value: string) => value);
  installed = true;
}
