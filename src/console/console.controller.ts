import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { DomainError } from '../common/errors/domain-error';
import { CurrentPrincipal, Principal, Roles } from '../common/access/principal';
import { ConsoleService } from './console.service';

export const CONSOLE_ERRORS = { ACTOR_IDS_INVALID: 'CONSOLE.ACTOR_IDS_INVALID' } as const;
const MAX_ACTOR_IDS = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `ids=a,b,c`: 1 to 50 UUIDs, else 400 CONSOLE.ACTOR_IDS_INVALID naming what is wrong. */
function parseActorIds(raw: unknown): string[] {
  const invalid = (message: string) => DomainError.invalid(CONSOLE_ERRORS.ACTOR_IDS_INVALID, message, [{ code: CONSOLE_ERRORS.ACTOR_IDS_INVALID, field: 'ids', message }]);
  if (typeof raw !== 'string' || raw.trim() === '') throw invalid('ids: one or more token ids, comma-separated.');
  const ids = [...new Set(raw.split(',').map((s) => s.trim()))];
  if (ids.length > MAX_ACTOR_IDS) throw invalid(`ids: at most ${MAX_ACTOR_IDS} token ids.`);
  const bad = ids.find((id) => !UUID.test(id));
  if (bad !== undefined) throw invalid(`ids: ${JSON.stringify(bad.slice(0, 60))} is not a token id (a UUID).`);
  return ids.map((id) => id.toLowerCase());
}

/** The programme-wide roles: the console's overview, risk and quarters pages (docs/console.md). */
const PROGRAMME_WIDE = ['trustee', 'approver', 'custodian', 'auditor'] as const;

@ApiTags('Console')
@ApiBearerAuth()
@Controller('v1/console')
export class ConsoleController {
  constructor(private readonly console: ConsoleService) {}

  @Get('overview')
  @Roles(...PROGRAMME_WIDE)
  @ApiOperation({
    summary: 'The console overview: the reserve against the 10–15% band with each bank’s name, status and loss rate; the top-up or excess; outstanding loans; this quarter’s close duties with their days.',
  })
  overview(@CurrentPrincipal() principal: Principal) {
    return this.console.overview(principal);
  }

  @Get('actors')
  @ApiOperation({
    summary:
      'Who acted in a record’s steps (the claim drill-down’s “by”): each token id with its role and party, and its label (usually a person’s name) for the programme-wide roles; ids that are no token are left out.',
  })
  @ApiQuery({ name: 'ids', description: `Token ids (UUIDs), comma-separated, at most ${MAX_ACTOR_IDS}.`, example: '0b6f7c1e-3f3c-4a47-9d2e-8d4b4d6f0c11' })
  actors(@Query('ids') ids: unknown, @CurrentPrincipal() principal: Principal) {
    return this.console.actors(parseActorIds(ids), principal);
  }

  @Get('risk')
  @Roles(...PROGRAMME_WIDE)
  @ApiOperation({ summary: 'Loss rates of every bank and agency over the closed quarters (against the 4% and 6% lines), current statuses and the reasons in force.' })
  risk() {
    return this.console.risk();
  }

  @Get('claims-pipeline')
  @ApiOperation({
    summary: 'The claims pipeline: count and compensation per status, reviews and refunds past their due day, and (programme-wide roles) agencies’ margin top-ups overdue. Bank and agency tokens see their own claims.',
  })
  pipeline(@CurrentPrincipal() principal: Principal) {
    return this.console.pipeline(principal);
  }

  @Get('quarters')
  @Roles(...PROGRAMME_WIDE)
  @ApiOperation({ summary: 'Every quarter close, oldest first, as GET /v1/quarters/{quarter} shows it (duties, results, placement proposal id).' })
  quarters() {
    return this.console.quarterList();
  }
}
