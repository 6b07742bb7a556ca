import { LagTracker, lsnValue, REPLICA_READ_ROUTES } from './read-replica';

describe('read replica: staleness from WAL positions', () => {
  it('orders pg_lsn text as PostgreSQL does', () => {
    expect(lsnValue('0/3000060')).toBe(0x3000060n);
    expect(lsnValue('1/0') > lsnValue('0/FFFFFFFF')).toBe(true);
    expect(lsnValue('16/B374D848')).toBe((0x16n << 32n) + 0xb374d848n);
  });

  it('bounds the staleness by the newest primary sample the replica has replayed past', () => {
    const lag = new LagTracker();
    expect(lag.staleness(1_000)).toBe(Infinity);
    lag.primaryAt(100n, 1_000);
    lag.primaryAt(200n, 1_250);
    lag.primaryAt(300n, 1_500);
    // Replayed 250: everything the primary had at 1,250 is there, not yet what it had at 1,500.
    lag.replayed(250n, 1_600);
    expect(lag.caughtUpThrough).toBe(1_250);
    expect(lag.staleness(1_600)).toBe(350);
    // A replica that stops replaying grows staler as time passes, whatever the primary does.
    lag.primaryAt(400n, 7_000);
    lag.replayed(250n, 7_100);
    expect(lag.staleness(7_100)).toBe(5_850);
    // Caught up again: staleness back to the age of the newest sample.
    lag.replayed(400n, 7_200);
    expect(lag.staleness(7_200)).toBe(200);
  });

  it('an idle primary (its position unchanged) keeps a caught-up replica fresh', () => {
    const lag = new LagTracker();
    for (let t = 0; t <= 10_000; t += 250) {
      lag.primaryAt(500n, t);
      lag.replayed(500n, t + 5);
    }
    expect(lag.staleness(10_005)).toBe(5);
  });

  it('a server not in recovery (no replay position) is never behind', () => {
    const lag = new LagTracker();
    lag.primaryAt(900n, 50);
    lag.replayed(null, 60);
    expect(lag.staleness(60)).toBe(0);
  });

  it('routes only the heavy reads', () => {
    const eligible = (p: string) => REPLICA_READ_ROUTES.some((r) => r.test(p));
    expect(['/v1/ledger/verify', '/v1/ledger/export', '/v1/ledger/trial-balance', '/v1/ledger/accounts/reserve:deposit:B1/statement', '/v1/console/overview'].map(eligible)).toEqual([true, true, true, true, true]);
    expect(['/v1/ledger/entries', '/v1/ledger/accounts/reserve:deposit:B1/balance', '/v1/claims', '/health'].map(eligible)).toEqual([false, false, false, false]);
  });
});
