import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError } from '../common/errors/domain-error';
import { canonicalJson } from '../common/idempotency/canonical-json';
import { isUuid } from '../common/ids';
import { findDataFile } from './data-files';
import { HENAN_TECH_LOAN } from './domain/henan-versions';
import { checkProgrammeDocument } from './domain/programme-document-check';
import {
  FLOW_KINDS,
  missingFlowFigures,
  moneyFlowsOf,
  type FlowKind,
  type ParameterValue,
  type ProgrammeDocument,
} from './domain/programme-document';
import { PROGRAMME_DATA_ERRORS as E } from './domain/programme-rules.errors';
import { ProgrammeLoan, ProgrammeVersionRow } from './programme-data.entities';
import { ProgrammeRow } from './programme.entities';

/**
 * What `flowOf` answers (docs/programmes.md "Contract"): the loan's programme and version, the
 * flow's figures as decimal strings (as the document has them), and the loan's own figures a flow
 * computes with.
 */
export interface LoanFlow {
  loanId: string;
  programmeCode: string;
  programmeVersionId: string;
  product: string;
  kind: FlowKind;
  parameters: { [name: string]: ParameterValue };
  source: string;
  loan: {
    reference: string;
    bankCode: string;
    borrowerCode: string;
    amount: string;
    annualRate: string;
    termMonths: number;
    contractDate: string;
    registeredOn: string;
  };
}

/** The version of a programme in force on a date: the latest from on or before it, unless it ended before. */
export function versionInForce(versions: readonly ProgrammeVersionRow[], date: string): ProgrammeVersionRow | null {
  const candidates = versions.filter((v) => v.effectiveFrom <= date).sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? 1 : -1));
  const v = candidates[0];
  if (!v || (v.effectiveTo !== null && v.effectiveTo < date)) return null;
  return v;
}

/**
 * Programmes as data (issue 18): the programme documents under data/programmes/ are stored at
 * start-up when absent (never rewritten: a stored version that differs from its file is reported,
 * and the stored one is used, as PolicyService does for Henan's versions); a trustee loads further
 * programmes or versions with `load`. `flowOf` is the one call the money flows' books make.
 */
@Injectable()
export class ProgrammesService implements OnModuleInit {
  private readonly logger = new Logger('ProgrammesService');

  constructor(private readonly tx: TransactionScope) {}

  /** The built-in documents, one file per programme (data/programmes/*.json), checked like a trustee's. */
  static builtInDocuments(): ProgrammeDocument[] {
    const dir = findDataFile('programmes');
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => {
        const check = checkProgrammeDocument(JSON.parse(readFileSync(join(dir, f), 'utf8')));
        if (!check.document) throw new Error(`data/programmes/${f} is not a valid programme document: ${check.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
        return check.document;
      });
  }

  async onModuleInit(): Promise<void> {
    const loaded: string[] = [];
    for (const doc of ProgrammesService.builtInDocuments()) {
      await this.tx.run(async (m) => {
        await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['programme-versions']);
        await this.storeProgramme(m, doc);
        const stored = await m.findOne(ProgrammeVersionRow, { where: { id: doc.version.id } });
        if (!stored) await this.storeVersion(m, doc);
        else if (canonicalJson(stored.body) !== canonicalJson(doc)) {
          this.logger.warn(`programme version ${doc.version.id} in the database differs from data/programmes; the stored version is used`);
        }
      });
      loaded.push(`${doc.code}/${doc.version.id}`);
    }
    this.logger.log(`programme documents: ${loaded.join(', ')}`);
  }

  /** Inserts the programme row when absent; fills names, seed and flows of a row created without them (POST /v1/programmes). */
  private async storeProgramme(m: EntityManager, doc: ProgrammeDocument): Promise<void> {
    await m
      .createQueryBuilder()
      .insert()
      .into(ProgrammeRow)
      .values({ code: doc.code, name: doc.names.zh, nameZh: doc.names.zh, nameEn: doc.names.en, sourceSeed: doc.sourceSeed, moneyFlows: moneyFlowsOf(doc) })
      .orIgnore()
      .execute();
    await m
      .createQueryBuilder()
      .update(ProgrammeRow)
      .set({ nameZh: doc.names.zh, nameEn: doc.names.en, sourceSeed: doc.sourceSeed })
      .where('code = :code AND name_zh IS NULL', { code: doc.code })
      .execute();
  }

  private async storeVersion(m: EntityManager, doc: ProgrammeDocument): Promise<void> {
    await m.insert(ProgrammeVersionRow, {
      id: doc.version.id,
      programmeCode: doc.code,
      effectiveFrom: doc.version.effectiveFrom,
      effectiveTo: doc.version.effectiveTo,
      // The document's recursive parameter type is too deep for TypeORM's partial-entity type: stored as it is.
      body: doc as never,
      missing: doc.missing,
    });
    // The row lists the flows of the programme's latest version.
    const latest = await m.findOne(ProgrammeVersionRow, { where: { programmeCode: doc.code }, order: { effectiveFrom: 'DESC' } });
    if (latest?.id === doc.version.id) await m.update(ProgrammeRow, { code: doc.code }, { moneyFlows: moneyFlowsOf(doc) });
  }

  /**
   * Loads a programme document (trustee; data only): a new programme, or a new version of one
   * (its names must match the stored ones). Every problem of the document is listed at once (400
   * PROGRAMME.DOCUMENT_INVALID); a version id or effective date already stored is a 409. Nothing
   * is stored then.
   */
  async load(input: unknown): Promise<ProgrammeVersionRow> {
    const check = checkProgrammeDocument(input);
    if (!check.document) {
      throw DomainError.invalid(E.DOCUMENT_INVALID, `The programme document cannot be loaded: ${check.problems.length} problem(s).`, check.problems);
    }
    const doc = check.document;
    if (doc.code === HENAN_TECH_LOAN) {
      // Henan's tech loans keep their own registration, rules and policy versions (docs/policy.md).
      throw DomainError.conflict(E.REGISTERS_ELSEWHERE, `${HENAN_TECH_LOAN} is carried by its own policy versions (POST /v1/policies), not by a programme document.`, [
        { code: E.REGISTERS_ELSEWHERE, field: 'code', message: `${HENAN_TECH_LOAN}: POST /v1/policies` },
      ]);
    }
    return this.tx.run(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['programme-versions']);
      if (await m.findOne(ProgrammeVersionRow, { where: { id: doc.version.id } })) {
        throw DomainError.conflict(E.VERSION_EXISTS, `A programme version ${doc.version.id} is already stored (stored versions never change).`);
      }
      const same = await m.findOne(ProgrammeVersionRow, { where: { programmeCode: doc.code, effectiveFrom: doc.version.effectiveFrom } });
      if (same) {
        throw DomainError.conflict(E.EFFECTIVE_DATE_TAKEN, `Version ${same.id} of ${doc.code} is already effective from ${same.effectiveFrom}.`);
      }
      const row = await m.findOne(ProgrammeRow, { where: { code: doc.code } });
      if (row?.nameZh && (row.nameZh !== doc.names.zh || row.nameEn !== doc.names.en)) {
        throw DomainError.conflict(E.NAMES_DIFFER, `Programme ${doc.code} is stored as ${row.nameZh} / ${row.nameEn}; a new version keeps its names.`);
      }
      await this.storeProgramme(m, doc);
      await this.storeVersion(m, doc);
      this.logger.log(`programme version ${doc.code}/${doc.version.id} loaded, effective from ${doc.version.effectiveFrom}`);
      return m.findOneOrFail(ProgrammeVersionRow, { where: { id: doc.version.id } });
    });
  }

  async programmes(manager?: EntityManager): Promise<ProgrammeRow[]> {
    return (manager ?? this.tx.manager).find(ProgrammeRow, { order: { code: 'ASC' } });
  }

  /** A programme by code; 404 PROGRAMME.NOT_FOUND. */
  async programme(code: string, manager?: EntityManager): Promise<ProgrammeRow> {
    const row = await (manager ?? this.tx.manager).findOne(ProgrammeRow, { where: { code } });
    if (!row) throw DomainError.notFound(E.NOT_FOUND, `No programme with code ${code}.`);
    return row;
  }

  /** The stored versions of a programme, oldest first. */
  async versionsOf(code: string, manager?: EntityManager): Promise<ProgrammeVersionRow[]> {
    return (manager ?? this.tx.manager).find(ProgrammeVersionRow, { where: { programmeCode: code }, order: { effectiveFrom: 'ASC' } });
  }

  /** A version by id (the one stored on a loan). */
  async versionById(id: string, manager?: EntityManager): Promise<ProgrammeVersionRow> {
    return (manager ?? this.tx.manager).findOneOrFail(ProgrammeVersionRow, { where: { id } });
  }

  /**
   * The one call the money flows' books make (docs/programmes.md "Contract"): the flow `kind` of
   * the loan's programme for the loan's product, with the figures of the version the loan was
   * registered under. 404 PROGRAMME.LOAN_NOT_FOUND for an id that is no programme loan; 409
   * PROGRAMME.FLOW_NOT_AVAILABLE when the programme has no such flow for the loan's product; 422
   * PROGRAMME.FIGURE_MISSING (with the figures named) when the seed does not give a figure the flow
   * needs and no version supplied it: the engine does not compute with a guess.
   *
   * `options.bankCode` asks as that bank (docs/access.md "Confidentiality"): a loan of another bank
   * is the same 404 as an id that is no programme loan, decided on the one read of the loan and
   * before anything about its programme or flows is said; null sees no loan at all.
   */
  async flowOf(loanId: string, kind: FlowKind, manager?: EntityManager, options: { bankCode?: string | null } = {}): Promise<LoanFlow> {
    const m = manager ?? this.tx.manager;
    const found = isUuid(loanId) ? await m.findOne(ProgrammeLoan, { where: { id: loanId } }) : null;
    const loan = found && (options.bankCode === undefined || found.bankCode === options.bankCode) ? found : null;
    if (!loan) throw DomainError.notFound(E.LOAN_NOT_FOUND, `No loan ${loanId} is registered against a programme.`);
    if (!(FLOW_KINDS as readonly string[]).includes(kind)) {
      throw DomainError.invalid(E.INPUT_INVALID, `Unknown flow kind ${String(kind)} (known: ${FLOW_KINDS.join(', ')}).`);
    }
    const version = await this.versionById(loan.programmeVersionId, m);
    const doc = version.body;
    const flow = doc.flows.find((f) => f.kind === kind && f.products.includes(loan.product));
    if (!flow) {
      const has = doc.flows.filter((f) => f.products.includes(loan.product)).map((f) => f.kind);
      throw DomainError.conflict(
        E.FLOW_NOT_AVAILABLE,
        `Programme ${loan.programmeCode} (${version.id}) has no ${kind} flow for ${loan.product} loans (it has: ${has.length ? has.join(', ') : 'none'}).`,
        [{ code: E.FLOW_NOT_AVAILABLE, message: `no ${kind} for ${loan.product}`, programmeCode: loan.programmeCode, product: loan.product, flows: has }],
      );
    }
    const missing = missingFlowFigures(doc, flow);
    if (missing.length) {
      throw DomainError.rule(
        E.FIGURE_MISSING,
        `The ${kind} flow of ${loan.programmeCode} (${version.id}) lacks figures the seed does not give: ${missing.join(', ')}. Load a version that gives them.`,
        missing.map((name) => ({
          code: E.FIGURE_MISSING,
          field: `flows.${kind}.${name}`,
          message: doc.missing.find((x) => x.figure === `flows.${kind}.${name}`)?.reason ?? `${name} is not given`,
        })),
      );
    }
    return {
      loanId: loan.id,
      programmeCode: loan.programmeCode,
      programmeVersionId: version.id,
      product: loan.product,
      kind,
      parameters: flow.parameters,
      source: flow.source,
      loan: {
        reference: loan.reference,
        bankCode: loan.bankCode,
        borrowerCode: loan.borrowerCode,
        amount: loan.amount.toString(),
        annualRate: loan.annualRate.toString(),
        termMonths: loan.termMonths,
        contractDate: loan.contractDate,
        registeredOn: loan.registeredOn,
      },
    };
  }
}
