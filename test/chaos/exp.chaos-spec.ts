import { readFileSync } from 'node:fs';
import { PrivateCluster } from './support/postgres-cluster';
import { ServiceProcess } from './support/service';
function mem(pid: number) { const s = readFileSync(`/proc/${pid}/status`, 'utf8'); return [/VmRSS:\s+(\d+)/.exec(s)![1], /VmHWM:\s+(\d+)/.exec(s)![1]].map((x) => Math.round(Number(x) / 1024)); }
describe('exp', () => {
  it('wide json', async () => {
    const cluster = await PrivateCluster.start();
    const service = new ServiceProcess({ databaseUrl: await cluster.createDatabase('exp') });
    await service.start();
    for (const [name, body] of [
      ['objects', `[${'{},'.repeat(2_700_000)}{}]`],
      ['arrays', `[${'[],'.repeat(2_700_000)}[]]`],
      ['lines', JSON.stringify({ book: 'reserve', effectiveDate: '2025-01-01', memo: 'x', lines: Array.from({ length: 200_000 }, () => ({ account: 'reserve:capital', debit: '1.00' })) })],
      ['batch', JSON.stringify({ entries: Array.from({ length: 1000 }, () => ({ book: 'reserve', effectiveDate: '2025-01-01', memo: 'x', lines: Array.from({ length: 150 }, () => ({ account: 'reserve:capital', debit: '1.00' })) })) })],
    ] as const) {
      const before = mem(service.pid!);
      const res = await service.request('POST', name === 'batch' ? '/v1/ledger/entries/batch' : '/v1/ledger/entries', { raw: body, headers: { 'Content-Type': 'application/json' }, timeoutMs: 120000 });
      console.log(name, (body.length / 1048576).toFixed(1), 'MiB', res.status, res.ms, 'ms', (res.json as any)?.code, 'rss before/peak', before, mem(service.pid!));
    }
    await service.stop(); await cluster.destroy();
  });
});
