import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../common/access/principal';
import { DateField, MoneyField } from '../common/http/fields';
import { Money } from '../common/money/money';
import { assertAgencyScope } from '../common/access/party-scope';
import { AgencyMarginService } from './agency-margin.service';

export class MarginDepositDto {
  @MoneyField({ example: '300000.00' })
  amount!: string;

  @DateField({ example: '2025-04-08' })
  depositedOn!: string;
}

export class MarginWithdrawalDto {
  @MoneyField({ example: '10000.00' })
  amount!: string;

  @DateField({ example: '2025-04-15' })
  withdrawnOn!: string;
}

@ApiTags('Agencies')
@ApiBearerAuth()
@Controller('v1/agencies/:code/margin')
export class AgencyMarginController {
  constructor(private readonly margins: AgencyMarginService) {}

  @Get()
  @ApiOperation({
    summary: 'An agency’s margin: balance, requirement, shortfall, top-up due date, deductions (RULES §7).',
    description: 'The agency itself and programme-wide roles; a bank token → 403 AUTH.PARTY_SCOPE (the deductions name every bank’s claims).',
  })
  view(@Param('code') code: string, @CurrentPrincipal() principal: Principal) {
    assertAgencyScope(principal, code);
    return this.margins.view(code);
  }

  @Post('deposits')
  @Roles('agency', 'custodian', 'trustee')
  @ApiOperation({ summary: 'A margin deposit; makes good any open deduction shortfall first and lifts the suspension it caused.' })
  deposit(@Param('code') code: string, @Body() dto: MarginDepositDto, @CurrentPrincipal() principal: Principal) {
    assertAgencyScope(principal, code);
    return this.margins.deposit(code, { amount: Money.parse(dto.amount), depositedOn: dto.depositedOn });
  }

  @Post('withdrawals')
  @Roles('agency', 'custodian', 'trustee')
  @ApiOperation({ summary: 'Withdraw margin: only the excess over the requirement (RULES §7).' })
  withdraw(@Param('code') code: string, @Body() dto: MarginWithdrawalDto, @CurrentPrincipal() principal: Principal) {
    assertAgencyScope(principal, code);
    return this.margins.withdraw(code, { amount: Money.parse(dto.amount), withdrawnOn: dto.withdrawnOn });
  }
}
