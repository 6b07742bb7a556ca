import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../common/access/principal';
import { ConsoleService } from './console.service';

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
