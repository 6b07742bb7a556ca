import { Foundation1732300000000 } from './1732300000000-foundation';
import { ProgrammeLoans1732500000000 } from './1732500000000-programme-loans';
import { Ledger1732400000000 } from './1732400000000-ledger';
import { ClaimsReserveMargins1732600000000 } from './1732600000000-claims-reserve-margins';

/**
 * Every migration, in order. Listed explicitly (not globbed) so the same set runs from ts-node,
 * jest and the compiled build. Add new migrations at the end.
 */
export const ALL_MIGRATIONS = [Foundation1732300000000, ProgrammeLoans1732500000000, Ledger1732400000000, ClaimsReserveMargins1732600000000];
