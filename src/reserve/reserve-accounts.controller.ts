import { Body, Controller, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../common/access/principal';
import { CodeField, DateField, TextField } from '../common/http/fields';
import { ReserveAccountsService } from './reserve-accounts.service';

export class ReserveAccountDetailsDto {
  @TextField({ maxLength: 200, example: '中国银行郑州高新区支行', description: 'The branch that holds the account.' })
  branch!: string;

  @TextField({ maxLength: 64, example: '41001234567890123', description: '6–32 digits.' })
  accountNumber!: string;

  @DateField({ optional: true, example: '2025-01-06', description: 'When the account was opened.' })
  openedOn?: string;
}

export class ReserveAccountMoveDto {
  @TextField({ maxLength: 200, example: '中国银行郑州金水支行', description: 'The branch of the new account.' })
  branch!: string;

  @TextField({ maxLength: 64, example: '41009876543210987', description: 'The new account’s number (6–32 digits).' })
  accountNumber!: string;

  @DateField({ example: '2025-11-28', description: 'The date of the move: the transfer’s effective date, the new account’s opening and the old one’s closing.' })
  movedOn!: string;

  @TextField({ optional: true, maxLength: 64, description: 'The number of the account being closed, if the caller wants it checked (409 when that account is already closed).' })
  fromAccountNumber?: string;
}

export class ReserveAccountsQuery {
  @CodeField({ optional: true, example: 'BANK01' })
  bankCode?: string;
}

/** The partner banks' reserve accounts and their moves (RULES §8; R 第九–十一条; docs/reserve-accounts.md). */
@ApiTags('Reserve')
@ApiBearerAuth()
@Controller('v1/reserve/accounts')
export class ReserveAccountsController {
  constructor(private readonly accounts: ReserveAccountsService) {}

  @Get()
  @Roles('trustee', 'custodian', 'auditor', 'approver', 'bank')
  @ApiOperation({
    summary: 'Per bank: its reserve balance, its current account and every account it has had (branch, number, opened, closed, balance).',
    description: 'A bank token sees its own bank only.',
  })
  list(@Query() q: ReserveAccountsQuery, @CurrentPrincipal() principal: Principal) {
    return this.accounts.list({ bankCode: q.bankCode }, principal);
  }

  @Put(':bankCode')
  @Roles('custodian', 'trustee')
  @ApiOperation({ summary: 'Records or corrects the branch and account number of a bank’s current reserve account.' })
  register(@Param('bankCode') bankCode: string, @Body() dto: ReserveAccountDetailsDto) {
    return this.accounts.register(bankCode, { branch: dto.branch, accountNumber: dto.accountNumber, openedOn: dto.openedOn });
  }

  @Post(':bankCode/moves')
  @Roles('custodian', 'trustee')
  @ApiOperation({
    summary: 'Moves a bank’s reserve account (R 第十一条): opens the new account, transfers the whole balance in one entry, closes the old account.',
    description: '409 when the new number is the current one or an earlier one, the old account is closed, or the date is in a closed period; 404 for an unknown bank; 422 for bad details or a date before the old account’s latest movement.',
  })
  move(@Param('bankCode') bankCode: string, @Body() dto: ReserveAccountMoveDto) {
    return this.accounts.move(bankCode, { branch: dto.branch, accountNumber: dto.accountNumber, movedOn: dto.movedOn, fromAccountNumber: dto.fromAccountNumber });
  }
}
