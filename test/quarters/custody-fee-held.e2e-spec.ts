import { createBank } from '../support/factories';
import { startIsolatedTestApp, TestApp } from '../support/test-app';

/**
 * The custody fee when an account no longer holds the quarter's interest (RULES §8; R 第二十二条;
 * docs/quarters.md "Custody fee"). Bank A: funded 1,000.00, interest 5,000.00 on 2025-03-21, then
 * 5,500.00 moved to bank B on 2025-03-25 (a hand-made entry, as the custodian may post) — A holds
 * 500.00 at the quarter end. Bank B: 300,000,000.00 + 5,500.00.
 *
 * A's interest counts only as far as A still holds it (500.00), so the fee's interest share never
 * credits A below its floor: principal 0.00 + 300,005,500.00 = 300,005,500.00 → fee 0.1% =
 * 300,005.50: 500.00 from A's interest, 299,505.50 from principal (B), nothing left to capital.
 * The 4,500.00 A no longer held is closed from reserve:interest into capital like the rest.
 * Before the fix the close failed on every pass with LEDGER.FLOOR_BREACH (the fee took 5,000.00 of
 * interest from an account holding 500.00), and every later quarter waited behind it.
 */
describe('quarter close: the custody fee counts only the interest an account still holds', () => {
  let t: TestApp;
  let bankA: string;
  let bankB: string;
  const post = (url: string, body: object = {}) => t.http.post(url).set('Authorization', t.auth).send(body);
  const get = (url: string) => t.http.get(url).set('Authorization', t.auth);

  beforeAll(async () => {
    t = await startIsolatedTestApp();
    bankA = await createBank(t, 'HA');
    bankB = await createBank(t, 'HB');
  });
  afterAll(async () => {
    await t.close();
  });

  it('interest paid away before the quarter end: the close completes, figures to the fen, books whole', async () => {
    await post('/v1/reserve/funding', { bankCode: bankA, amount: '1000.00', fundedOn: '2025-01-15', reference: `F-${bankA}` }).expect(201);
    await post('/v1/reserve/funding', { bankCode: bankB, amount: '300000000.00', fundedOn: '2025-01-15', reference: `F-${bankB}` }).expect(201);
    await post('/v1/reserve/interest', { bankCode: bankA, amount: '5000.00', creditedOn: '2025-03-21' }).expect(201);
    await post('/v1/ledger/entries', {
      book: 'reserve',
      effectiveDate: '2025-03-25',
      memo: 'Reserve moved from A to B',
      lines: [
        { account: `reserve:deposit:${bankB}`, debit: '5500.00' },
        { account: `reserve:deposit:${bankA}`, credit: '5500.00' },
      ],
    }).expect(201);

    // With an Idempotency-Key, as a retrying client sends it: the close commits its duties on its
    // own (it is idempotent by its run table), so no request transaction is held around it — on
    // the embedded database that transaction made the close wait for ever.
    const res = await post('/v1/quarters/2025Q1/close').set('Idempotency-Key', 'close-2025Q1');
    expect(res.status).toBe(200);
    const again = await post('/v1/quarters/2025Q1/close').set('Idempotency-Key', 'close-2025Q1').expect(200);
    expect(again.body).toEqual(res.body);
    expect(res.body.status).toBe('completed');
    expect(res.body.custodyFee).toMatchObject({
      reserveTotal: '300005500.00',
      quarterInterest: '500.00',
      total: '300005.50',
      fromInterest: '500.00',
      fromPrincipal: '299505.50',
      interestToPrincipal: '0.00',
      interestNotHeld: '4500.00',
    });
    const byBank = Object.fromEntries((res.body.custodyFee.banks as { bankCode: string }[]).map((b) => [b.bankCode, b]));
    expect(byBank[bankA]).toMatchObject({ fromInterest: '500.00', fromPrincipal: '0.00' });
    expect(byBank[bankB]).toMatchObject({ fromInterest: '0.00', fromPrincipal: '299505.50' });

    // A paid its 500.00 of interest as fee and holds nothing; B paid the rest from principal.
    const balanceOf = async (bank: string) => (await get(`/v1/ledger/accounts/${encodeURIComponent(`reserve:deposit:${bank}`)}/balance?book=reserve`).expect(200)).body.balance;
    expect(await balanceOf(bankA)).toBe('0.00');
    expect(await balanceOf(bankB)).toBe('299705994.50');
    // reserve:interest is closed into capital in full (the 4,500.00 A no longer held included).
    const interest = await get(`/v1/ledger/accounts/${encodeURIComponent('reserve:interest')}/balance?book=reserve`).expect(200);
    expect(interest.body.balance).toBe('0.00');
    const tb = await get('/v1/ledger/trial-balance?book=reserve&asOf=2025-03-31').expect(200);
    expect(tb.body.totals.debit).toBe(tb.body.totals.credit);
    expect((await get('/v1/ledger/verify?book=reserve').expect(200)).body.ok).toBe(true);
  });
});
