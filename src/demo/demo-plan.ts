import { addDays, nextQuarter, previousQuarter, quarterFirstDay, quarterFirstMonthDay, quarterLastDay, quarterOf } from '../common/calendar';

/**
 * The calendar of the demo programme (docs/console.md "Demo"), from today's date: the two most
 * recent quarters whose every close duty has come (the last ones fall on the 25th of the next
 * quarter's first month) are closed; the programme starts a year before the first of them.
 * Pure: dates in, dates out.
 *
 * Worked example: today 2026-12-01 → current quarter 2026Q4, whose first month's 25th has passed,
 * so the closed quarters are 2026Q2 and 2026Q3 and the programme starts 2025-04-01.
 */
export interface DemoCalendar {
  today: string;
  start: string;
  closedA: string;
  closedB: string;
  current: string;
}

export function demoCalendar(today: string): DemoCalendar {
  const current = quarterOf(today);
  const lastDutyDay = quarterFirstMonthDay(current, 26);
  const closedB = today >= lastDutyDay ? previousQuarter(current) : previousQuarter(previousQuarter(current));
  const closedA = previousQuarter(closedB);
  const start = quarterFirstDay(previousQuarter(previousQuarter(previousQuarter(previousQuarter(closedA)))));
  return { today, start, closedA, closedB, current: nextQuarter(closedB) };
}

/** A small deterministic generator (mulberry32), so two demo runs on the same day build the same programme. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A date `n` days after `from`, never after `until`. */
export function dayWithin(from: string, n: number, until: string): string {
  const d = addDays(from, n);
  return d > until ? until : d;
}

export { addDays, quarterFirstDay, quarterLastDay };

export const DEMO_BANKS = [
  { code: 'ZZBANK', name: '郑州银行' },
  { code: 'ZYBANK', name: '中原银行' },
  { code: 'LYBANK', name: '洛阳银行' },
  { code: 'PDSBANK', name: '平顶山银行' },
] as const;

export const DEMO_AGENCIES = [
  { code: 'HNZX', name: '河南省中小企业融资担保有限公司', feeRate: '0.01' },
  { code: 'ZZDB', name: '郑州市科技融资担保有限公司', feeRate: '0.008' },
  { code: 'HNKJ', name: '河南省科技金融服务中心', feeRate: '0.01' },
] as const;

const PREFIXES = ['河南', '郑州', '洛阳', '新乡', '许昌', '南阳', '开封', '焦作'];
const TRADES = ['智能装备', '新材料', '生物医药', '电子信息', '光电科技', '精密仪器', '软件', '新能源', '环保科技', '数控技术'];

/** A borrower's name, e.g. "郑州新材料科技有限公司 17". */
export function borrowerName(i: number): string {
  return `${PREFIXES[i % PREFIXES.length]}${TRADES[Math.floor(i / PREFIXES.length) % TRADES.length]}有限公司${i >= PREFIXES.length * TRADES.length ? ` ${i}` : ''}`;
}
