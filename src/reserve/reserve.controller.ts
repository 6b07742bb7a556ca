import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../common/access/principal';
import { CodeField, DateField, MoneyField, TextField } from '../common/http/fields';
import { Money } from '../common/money/money';
import { ReserveService } from './reserve.service';

export class FundingDto {
  @CodeField({ example: 'BANK01' })
  bankCode!: string;

  @MoneyField({ example: '50000000.00' })
  amount!: string;

  @DateField({ example: '2025-01-15' })
  fundedOn!: string;

  @TextField({ maxLength: 100, example: 'YCZ-2025-001', description: 'The appropriation’s reference; unique.' })
  reference!: string;
}

export class InterestDto {
  @CodeField({ example: 'BANK01' })
  bankCode!: string;

  @MoneyField({ example: '125000.00' })
  amount!: string;

  @DateField({ example: '2025-03-21' })
  creditedOn!: string;
}

export class ReserveQuery {
  @DateField({ optional: true, description: 'Business date (default today).', example: '2025-06-30' })
  asOf?: string;
}

@ApiTags('Reserve')
@ApiBearerAuth()
@Controller('v1/reserve')
export class ReserveController {
  constructor(private readonly reserve: ReserveService) {}

  @Post('funding')
  @Roles('custodian', 'trustee')
  @ApiOperation({ summary: 'An appropriation deposited into a bank’s reserve account.' })
  fund(@Body() dto: FundingDto) {
    return this.reserve.fund({ bankCode: dto.bankCode, amount: Money.parse(dto.amount), fundedOn: dto.fundedOn, reference: dto.reference });
  }

  @Post('interest')
  @Roles('custodian', 'trustee')
  @ApiOperation({ summary: 'Deposit interest credited by a bank to its reserve account.' })
  interest(@Body() dto: InterestDto) {
    return this.reserve.creditInterest({ bankCode: dto.bankCode, amount: Money.parse(dto.amount), creditedOn: dto.creditedOn });
  }

  @Get()
  @ApiOperation({
    summary: 'The reserve as of a date: total, per-bank balances, outstanding tech loans, the 10%–15% band, top-up or excess (RULES §8).',
    description: 'Totals are programme-wide; banks[] lists a bank token’s own balance only, and nothing for an agency token.',
  })
  overview(@Query() q: ReserveQuery, @CurrentPrincipal() principal: Principal) {
    return this.reserve.overview(q.asOf, { principal });
  }
}
