/**
 * What validating the compensation calculator's body costs (issue 16 goal 4): the global
 * ValidationPipe (src/common/errors/validation.ts: class-transformer, then class-validator with
 * the whitelist) run on the bench's request body, in this process, without HTTP. Prints the mean
 * CPU time per call over BENCH_VALIDATION_CALLS calls (default 20,000) after a warm-up, and the
 * load average. Results in docs/benchmarks.md "Issue 16: the HTTP half".
 *
 *   npx ts-node --transpile-only bench/validation.ts
 */
import 'reflect-metadata';
import { loadavg } from 'node:os';
import { CompensationCalculatorDto } from '../src/calculators/calculators.dto';
import { createValidationPipe } from '../src/common/errors/validation';
import { COMPENSATION_EXAMPLE_A } from '../test/support/examples';

const CALLS = Number(process.env.BENCH_VALIDATION_CALLS ?? 20_000);
const BODY = COMPENSATION_EXAMPLE_A;

async function main(): Promise<void> {
  const pipe = createValidationPipe();
  const meta = { type: 'body' as const, metatype: CompensationCalculatorDto, data: '' };
  for (let i = 0; i < 2_000; i++) await pipe.transform({ ...BODY }, meta);
  const start = process.cpuUsage();
  const wall = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) await pipe.transform({ ...BODY }, meta);
  const cpu = process.cpuUsage(start);
  const wallMs = Number(process.hrtime.bigint() - wall) / 1e6;
  const perCallUs = ((cpu.user + cpu.system) / CALLS).toFixed(1);
  console.log(`${CALLS} validations: ${perCallUs} µs CPU per call (${((wallMs * 1000) / CALLS).toFixed(1)} µs wall); load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
}

void main();
