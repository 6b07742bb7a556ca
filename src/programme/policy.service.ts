import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { buildDefaultPolicy, policyForRegistration } from './domain/policy-lookup';
import type { PolicyVersion } from './domain/policy-version';
import { PolicyVersionRow } from './programme.entities';

/**
 * Finds the project's `data/` folder by walking up from `start` (this file's folder under ts-node
 * and jest, `dist/src/programme` in the compiled build) and falling back to the working directory.
 */
export function findDataFile(name: string, start = __dirname): string {
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, 'data', name);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const fromCwd = join(process.cwd(), 'data', name);
  if (existsSync(fromCwd)) return fromCwd;
  throw new Error(`data/${name} not found above ${start} or in ${process.cwd()}`);
}

/**
 * The programme's policy versions (issue #3 "Policy versions"). At start-up the default version
 * (HENAN_2021_BASE + data/lpr-history.csv) is stored in `policy_versions` if absent, then every
 * stored version is loaded. A loan keeps the version in force on its registration date.
 */
@Injectable()
export class PolicyService implements OnModuleInit {
  private readonly logger = new Logger('PolicyService');
  private versions: PolicyVersion[] = [];

  constructor(@InjectRepository(PolicyVersionRow) private readonly rows: Repository<PolicyVersionRow>) {}

  async onModuleInit(): Promise<void> {
    const path = findDataFile('lpr-history.csv');
    const defaults = buildDefaultPolicy(readFileSync(path, 'utf8'));
    await this.rows
      .createQueryBuilder()
      .insert()
      .values({ id: defaults.id, name: defaults.name, effectiveFrom: defaults.effectiveFrom, body: defaults })
      .orIgnore()
      .execute();
    const stored = await this.rows.find({ order: { effectiveFrom: 'ASC' } });
    this.versions = stored.map((r) => r.body as PolicyVersion);
    const current = this.versions.find((v) => v.id === defaults.id);
    if (current && JSON.stringify(current) !== JSON.stringify(defaults)) {
      // A stored version is never rewritten: loans registered under it keep its rules. A changed
      // LPR file or base policy needs a new version id.
      this.logger.warn(`policy ${defaults.id} in the database differs from ${path}; the stored version is used`);
    }
    this.logger.log(`policy versions loaded: ${this.versions.map((v) => v.id).join(', ')} (LPR from ${path})`);
  }

  /** The policy version governing a loan registered on `date` (YYYY-MM-DD). */
  versionFor(date: string): PolicyVersion {
    return policyForRegistration(this.versions, date);
  }

  /** A version by id (the one stored on a loan). */
  byId(id: string): PolicyVersion {
    const v = this.versions.find((x) => x.id === id);
    if (!v) throw new Error(`policy version ${id} is not loaded`);
    return v;
  }

  all(): readonly PolicyVersion[] {
    return this.versions;
  }
}
