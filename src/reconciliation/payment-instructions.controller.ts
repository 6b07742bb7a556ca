import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { exportOptions } from '../common/format/export-format';
import { CurrentPrincipal, Principal, Roles } from '../common/access/principal';
import { DoneDto, InstructionsQueryDto } from './reconciliation.dto';
import { InstructionView, PaymentInstructionsService } from './payment-instructions.service';
import { Table, toCsv, toXlsx } from './tabular';

const EXPORT_LIMIT = 100_000;

@ApiTags('Reconciliation')
@ApiBearerAuth()
@Controller('v1/payment-instructions')
export class PaymentInstructionsController {
  constructor(private readonly instructions: PaymentInstructionsService) {}

  @Get()
  @Roles('custodian', 'trustee', 'auditor', 'approver')
  @ApiOperation({
    summary: 'Every money movement the custodian must make (or expect) at a bank, each with the reference the bank statement will carry.',
    description: 'status pending (to execute) | done (confirmed made) | matched (on a statement). format=csv|xlsx exports up to 100,000 for keying into the banks.',
  })
  async list(@Query() q: InstructionsQueryDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const filter = { status: q.status, bankCode: q.bankCode, kind: q.kind };
    if (!q.format || q.format === 'json') return this.instructions.list(filter, q.limit ?? 100, q.cursor);
    const page = await this.instructions.list(filter, EXPORT_LIMIT, q.cursor);
    const table = instructionTable(page.items);
    const options = exportOptions(q, req.headers['accept-language']);
    if (q.format === 'csv') {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', 'attachment; filename="payment-instructions.csv"');
      return toCsv([table], options);
    }
    res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.setHeader('Content-Disposition', 'attachment; filename="payment-instructions.xlsx"');
    return toXlsx([table], options.lang);
  }

  @Post(':reference/done')
  @HttpCode(200)
  @Roles('custodian', 'trustee')
  @ApiOperation({ summary: 'The custodian confirms the transfer was made at the bank (pending → done); twice → the first answer.' })
  done(@Param('reference') reference: string, @Body() dto: DoneDto, @CurrentPrincipal() principal: Principal) {
    return this.instructions.markDone(reference, dto.doneOn, principal);
  }
}

function instructionTable(items: InstructionView[]): Table {
  return {
    sheet: 'Payment instructions',
    sheetZh: '付款指令',
    amountColumns: ['amount'],
    columns: ['reference', 'bankCode', 'account', 'direction', 'amount', 'kind', 'status', 'effectiveDate', 'memo'],
    rows: items.map((i) => [i.reference, i.bankCode, i.account, i.direction, i.amount, i.kind, i.status, i.effectiveDate, i.memo]),
  };
}
