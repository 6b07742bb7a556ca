import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { canonicalJson } from '../common/idempotency/canonical-json';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError } from '../common/errors/domain-error';
import { BUILT_IN_VERSIONS, HENAN_TECH_LOAN } from './domain/henan-versions';
import { checkPolicyInput, type PolicyInput } from './domain/policy-input';
import { policyForRegistration, versionsOfProgramme } from './domain/policy-lookup';
import type { PolicyVersion } from './domain/policy-version';
import { POLICY_RULE_ERRORS } from './domain/programme-rules.errors';
import { PolicyVersionRow, ProgrammeRow } from './programme.entities';
import { PROGRAMME_ERRORS } from './programme.errors';

export { findDataFile } from './data-files';

/**
 * The programmes' policy versions (RULES §11a). At start-up the built-in versions (henan-2021 from
 * 2021-10-30, henan-2025 from 2025-06-01) are stored if absent, never rewritten, and compared with
 * what is stored by value (canonical JSON: key order and jsonb's own formatting do not count), so
 * the warning fires only on a real difference. The trustee loads further versions through
 * `load` (POST /v1/policies). A loan keeps the version of its programme in force on its
 * registration date; the versions are held in memory and re-read when another instance stored a
 * new one (`ensureFresh`).
 */
@Injectable()
export class PolicyService implements OnModuleInit {
  private readonly logger = new Logger('PolicyService');
  private versions: PolicyVersion[] = [];
  /** When the versions in memory were last known to match the table (the start of that check). */
  private checkedAt = 0;
  private checking: Promise<void> | null = null;

  constructor(private readonly tx: TransactionScope) {}

  async onModuleInit(): Promise<void> {
    for (const v of BUILT_IN_VERSIONS) {
      await this.tx.manager
        .createQueryBuilder()
        .insert()
        .into(PolicyVersionRow)
        .values({ id: v.id, programme: v.programme, name: v.name, effectiveFrom: v.effectiveFrom, body: v, provisional: v.provisional })
        .orIgnore()
        .execute();
    }
    await this.reload();
    for (const builtIn of BUILT_IN_VERSIONS) {
      const stored = this.versions.find((v) => v.id === builtIn.id);
      if (stored && canonicalJson(stored) !== canonicalJson(builtIn)) {
        // A stored version is never rewritten: loans registered under it keep its rules.
        this.logger.warn(`policy ${builtIn.id} in the database differs from the built-in version; the stored version is used`);
      }
    }
    this.logger.log(`policy versions loaded: ${this.versions.map((v) => `${v.programme}/${v.id} from ${v.effectiveFrom}`).join(', ')}`);
  }

  private async reload(): Promise<void> {
    const started = Date.now();
    const stored = await this.tx.manager.find(PolicyVersionRow, { order: { programme: 'ASC', effectiveFrom: 'ASC' } });
    this.versions = stored.map((r) => r.body as PolicyVersion);
    this.checkedAt = Math.max(this.checkedAt, started);
  }

  /** Re-reads the versions when the database holds a different number (versions are append-only). */
  async ensureFresh(): Promise<void> {
    const started = Date.now();
    const count = await this.tx.manager.count(PolicyVersionRow);
    if (count !== this.versions.length) await this.reload();
    this.checkedAt = Math.max(this.checkedAt, started);
  }

  /**
   * ensureFresh at most once per `maxAgeMs` (issue 16: the calculator's path; the writes that
   * store a version on a loan or claim keep checking on every call). A version loaded through
   * this process is in memory at once (`load` reloads); one loaded by another instance is seen
   * at most `maxAgeMs` (plus one check's round trip) after its commit. Concurrent callers share
   * one check.
   */
  async ensureFreshWithin(maxAgeMs: number): Promise<void> {
    if (Date.now() - this.checkedAt < maxAgeMs) return;
    this.checking ??= this.ensureFresh().finally(() => {
      this.checking = null;
    });
    await this.checking;
  }

  /** The version of `programme` (default: this service's loans, henan-tech-loan) governing a loan registered on `date`. */
  versionFor(date: string, programme: string = HENAN_TECH_LOAN): PolicyVersion {
    return policyForRegistration(this.versions, programme, date);
  }

  /** A version by id (the one stored on a loan). */
  byId(id: string): PolicyVersion {
    const v = this.versions.find((x) => x.id === id);
    if (!v) throw new Error(`policy version ${id} is not loaded`);
    return v;
  }

  all(programme?: string): readonly PolicyVersion[] {
    return programme ? versionsOfProgramme(this.versions, programme) : this.versions;
  }

  /** Adds a programme (trustee); its versions are then loaded with `load`. */
  async createProgramme(input: { code: string; name: string }): Promise<ProgrammeRow> {
    const inserted = await this.tx.manager.createQueryBuilder().insert().into(ProgrammeRow).values(input).orIgnore().returning(['code']).execute();
    if (!inserted.raw.length) throw DomainError.conflict(PROGRAMME_ERRORS.PROGRAMME_DUPLICATE_CODE, `A programme ${input.code} already exists.`);
    return this.tx.manager.findOneOrFail(ProgrammeRow, { where: { code: input.code } });
  }

  /**
   * Loads a new version (RULES §11a; trustee). Every problem is listed at once (400 when one is of
   * shape or type, else 422) and nothing is stored; the check runs under a lock so two loads
   * cannot both take the same date.
   */
  async load(input: PolicyInput): Promise<PolicyVersion> {
    const version = await this.tx.run(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['policy-versions']);
      const programmes = (await m.find(ProgrammeRow)).map((p) => p.code);
      const versions = (await m.find(PolicyVersionRow)).map((r) => r.body as PolicyVersion);
      const check = checkPolicyInput(input, { programmes, versions });
      if (!check.version) {
        const message = `The policy version cannot be loaded: ${check.problems.map((p) => p.message).join('; ')}.`;
        throw check.malformed
          ? DomainError.invalid(POLICY_RULE_ERRORS.INVALID, message, check.problems)
          : DomainError.rule(POLICY_RULE_ERRORS.REFUSED, message, check.problems);
      }
      const v = check.version;
      await m.insert(PolicyVersionRow, { id: v.id, programme: v.programme, name: v.name, effectiveFrom: v.effectiveFrom, body: v, provisional: v.provisional });
      return v;
    });
    await this.reload();
    // Inside the request's transaction (Idempotency-Key) what was just read is not committed yet: read it again once that transaction has ended.
    await this.tx.whenSettled(() => this.reload());
    this.logger.log(`policy version ${version.programme}/${version.id} loaded, effective from ${version.effectiveFrom}`);
    return version;
  }
}
