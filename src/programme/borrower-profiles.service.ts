import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../common/access/principal';
import { assertEventDates } from '../common/calendar/event-dates';
import { Clock } from '../common/clock/clock';
import { TransactionScope } from '../common/database/transaction-scope';
import { BorrowersService } from './borrowers.service';
import type { BorrowerType, HireGroup, SizeClass } from './domain/programme-document';
import { BorrowerHeadcount, BorrowerHire } from './programme-data.entities';
import { Borrower } from './programme.entities';

export interface BorrowerProfile {
  code: string;
  borrowerType: BorrowerType | null;
  sizeClass: SizeClass | null;
  establishedOn: string | null;
  region: string | null;
  headcounts: { asOf: string; headcount: number }[];
  hires: { id: string; hiredOn: string; persons: number; originRegion: string | null; groups: HireGroup[]; contractMonths: number | null }[];
}

export interface ProfileInput {
  borrowerType?: BorrowerType | null;
  sizeClass?: SizeClass | null;
  establishedOn?: string | null;
  region?: string | null;
}

/**
 * The borrower attributes the employment programmes test (issue 18): type, size class,
 * establishment date, region, the headcount history and the hires by origin and group. Registered
 * programme loans keep the facts they were registered with (programme_loans.facts); a later
 * correction here does not touch them. A bank token edits only the borrowers it registered.
 */
@Injectable()
export class BorrowerProfilesService {
  constructor(
    private readonly tx: TransactionScope,
    private readonly borrowers: BorrowersService,
    private readonly clock: Clock,
  ) {}

  async profileOf(code: string, manager?: EntityManager): Promise<BorrowerProfile> {
    const m = manager ?? this.tx.manager;
    const b = await this.borrowers.getBorrower(code, m);
    const headcounts = await m.find(BorrowerHeadcount, { where: { borrowerCode: code }, order: { asOf: 'ASC' } });
    const hires = await m.find(BorrowerHire, { where: { borrowerCode: code }, order: { hiredOn: 'ASC', recordedAt: 'ASC' } });
    return {
      code: b.code,
      borrowerType: b.borrowerType,
      sizeClass: b.sizeClass,
      establishedOn: b.establishedOn,
      region: b.region,
      headcounts: headcounts.map((h) => ({ asOf: h.asOf, headcount: h.headcount })),
      hires: hires.map((h) => ({ id: h.id, hiredOn: h.hiredOn, persons: h.persons, originRegion: h.originRegion, groups: h.groups, contractMonths: h.contractMonths })),
    };
  }

  async visibleProfile(code: string, principal?: Principal): Promise<BorrowerProfile> {
    await this.borrowers.getVisibleBorrower(code, principal);
    return this.profileOf(code);
  }

  /** Sets the attributes given (null clears one); those not given stay. */
  async setProfile(code: string, input: ProfileInput, principal?: Principal): Promise<BorrowerProfile> {
    await this.borrowers.getVisibleBorrower(code, principal);
    this.assertPast([{ field: 'establishedOn', date: input.establishedOn ?? null }]);
    const changes: Partial<Borrower> = {};
    if (input.borrowerType !== undefined) changes.borrowerType = input.borrowerType;
    if (input.sizeClass !== undefined) changes.sizeClass = input.sizeClass;
    if (input.establishedOn !== undefined) changes.establishedOn = input.establishedOn;
    if (input.region !== undefined) changes.region = input.region;
    if (Object.keys(changes).length) await this.tx.manager.update(Borrower, { code }, changes);
    return this.profileOf(code);
  }

  /** Records (or corrects) the headcount on a date. */
  async putHeadcount(code: string, input: { asOf: string; headcount: number }, principal?: Principal): Promise<BorrowerProfile> {
    await this.borrowers.getVisibleBorrower(code, principal);
    this.assertPast([{ field: 'asOf', date: input.asOf }]);
    await this.tx.manager.getRepository(BorrowerHeadcount).upsert({ borrowerCode: code, asOf: input.asOf, headcount: input.headcount }, ['borrowerCode', 'asOf']);
    return this.profileOf(code);
  }

  /** Records persons hired on a date, with their origin region, groups and contract length. */
  async addHire(
    code: string,
    input: { hiredOn: string; persons: number; originRegion?: string; groups?: HireGroup[]; contractMonths?: number },
    principal?: Principal,
  ): Promise<BorrowerProfile> {
    await this.borrowers.getVisibleBorrower(code, principal);
    this.assertPast([{ field: 'hiredOn', date: input.hiredOn }]);
    await this.tx.manager.insert(BorrowerHire, {
      borrowerCode: code,
      hiredOn: input.hiredOn,
      persons: input.persons,
      originRegion: input.originRegion ?? null,
      groups: [...new Set(input.groups ?? [])],
      contractMonths: input.contractMonths ?? null,
    });
    return this.profileOf(code);
  }

  /** Dates of things that have happened may not lie in the future (RULES §4, dates 2026-12): 422. */
  private assertPast(dates: { field: string; date: string | null }[]): void {
    assertEventDates(this.clock.today(), dates.filter((d): d is { field: string; date: string } => d.date !== null));
  }
}
