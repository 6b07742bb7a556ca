import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/access/principal';
import { TransactionScope } from '../common/database/transaction-scope';
import { PartiesService } from '../programme/parties.service';
import { DomainError, ErrorDetail } from '../common/errors/domain-error';
import { ColumnMapping, STATEMENT_FIELDS } from './domain/statement-columns';
import { STATEMENT_ERRORS } from './reconciliation.errors';

/**
 * A bank's statement column mapping (issue 14 item 2): which header of its export holds each
 * field, for banks whose headers are not among the known ones. Tried before the known names.
 */
@Injectable()
export class StatementMappingsService {
  constructor(
    private readonly tx: TransactionScope,
    private readonly parties: PartiesService,
  ) {}

  async get(bankCode: string): Promise<ColumnMapping> {
    const rows = (await this.tx.manager.query(`SELECT columns FROM statement_column_mappings WHERE bank_code = $1`, [bankCode])) as { columns: ColumnMapping }[];
    return rows[0]?.columns ?? {};
  }

  async put(bankCode: string, columns: unknown, principal?: Principal) {
    const mapping = checkMapping(columns);
    // A mapping for a bank the programme does not know is refused (404 BANK.NOT_FOUND), not stored.
    await this.parties.getBank(bankCode, this.tx.manager);
    await this.tx.manager.query(
      `INSERT INTO statement_column_mappings (bank_code, columns, updated_by) VALUES ($1, $2, $3)
       ON CONFLICT (bank_code) DO UPDATE SET columns = EXCLUDED.columns, updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [bankCode, JSON.stringify(mapping), principal?.tokenId ?? null],
    );
    return { bankCode, columns: mapping };
  }
}

function checkMapping(columns: unknown): ColumnMapping {
  const problems: ErrorDetail[] = [];
  if (columns === null || typeof columns !== 'object' || Array.isArray(columns)) {
    throw DomainError.invalid(STATEMENT_ERRORS.INVALID_PARAMS, 'columns must be an object: field → header text.', [{ field: 'columns', code: 'NOT_AN_OBJECT', message: 'columns must be an object' }]);
  }
  const out: ColumnMapping = {};
  for (const [field, header] of Object.entries(columns as Record<string, unknown>)) {
    if (!(STATEMENT_FIELDS as readonly string[]).includes(field)) problems.push({ field: `columns.${field.slice(0, 40)}`, code: 'UNKNOWN_FIELD', message: `${field.slice(0, 40)} is not a statement field (${STATEMENT_FIELDS.join(', ')})` });
    else if (typeof header !== 'string' || !header.trim() || header.length > 100) problems.push({ field: `columns.${field}`, code: 'INVALID_VALUE', message: `${field} must be a header text of 1–100 characters` });
    else out[field as keyof ColumnMapping] = header.trim();
  }
  if (problems.length) throw DomainError.invalid(STATEMENT_ERRORS.INVALID_PARAMS, `The mapping is invalid: ${problems.map((p) => p.message).join('; ')}.`, problems);
  return out;
}
