import type { AuditDraft, AuditService } from './audit.service';
import { GuardRefusalRecorder, REFUSAL_KEYS_PER_WINDOW, REFUSAL_WINDOW_MS, REPEATED_REFUSALS } from './guard-refusals';

/** The bounds of docs/audit.md "Refused before the handler", without a database: what would be written. */
describe('GuardRefusalRecorder: a row for the first refusal of a source per minute, a count for the rest', () => {
  let written: AuditDraft[];
  let recorder: GuardRefusalRecorder;
  const minute = 29_000_000 * REFUSAL_WINDOW_MS; // 2025-02-19T…:00Z, a minute's start
  const from = (ip: string, id = 'r') => ({ ip, id, method: 'GET', path: '/v1/loans', baseUrl: '', socket: {} }) as never;

  beforeEach(() => {
    written = [];
    recorder = new GuardRefusalRecorder({ recordDetached: (d: AuditDraft) => Promise.resolve(void written.push(d)) } as unknown as AuditService);
  });

  it('ten 401s of one address in a minute: its first with request id and source, then one row counting the other nine', async () => {
    for (let i = 0; i < 10; i++) recorder.note(from('10.0.0.7', `req-${i}`), 401, 'AUTH.UNAUTHENTICATED', minute + i * 1000);
    await recorder.flush();
    expect(written).toEqual([
      { requestId: 'req-0', actorTokenId: null, actorRole: null, actorParty: null, action: 'GET /v1/loans', targetIds: ['source:10.0.0.7'], status: 401, errorCode: 'AUTH.UNAUTHENTICATED' },
      {
        requestId: null,
        actorTokenId: null,
        actorRole: null,
        actorParty: null,
        action: REPEATED_REFUSALS,
        targetIds: ['source:10.0.0.7', 'count:9', `window:${new Date(minute).toISOString().slice(0, 16)}Z`],
        status: 401,
        errorCode: 'AUTH.UNAUTHENTICATED',
      },
    ]);
  });

  it('a new minute writes the last one’s count and starts again with a row of its own', async () => {
    recorder.note(from('10.0.0.7'), 401, 'AUTH.UNAUTHENTICATED', minute);
    recorder.note(from('10.0.0.7'), 401, 'AUTH.UNAUTHENTICATED', minute + 10);
    recorder.note(from('10.0.0.7', 'next'), 401, 'AUTH.UNAUTHENTICATED', minute + REFUSAL_WINDOW_MS);
    await recorder.flush();
    expect(written.map((d) => [d.action, d.requestId, d.targetIds.find((t) => t.startsWith('count:')) ?? null])).toEqual([
      ['GET /v1/loans', 'r', null],
      [REPEATED_REFUSALS, null, 'count:1'],
      ['GET /v1/loans', 'next', null],
    ]);
  });

  it('past 1,000 sources in a minute the rest share one counter: 1,000 rows and one count of 5, not 1,005 rows', async () => {
    for (let i = 0; i < REFUSAL_KEYS_PER_WINDOW + 5; i++) recorder.note(from(`10.1.${Math.floor(i / 250)}.${i % 250}`), 401, 'AUTH.UNAUTHENTICATED', minute);
    await recorder.flush();
    expect(written).toHaveLength(REFUSAL_KEYS_PER_WINDOW + 1);
    expect(written[written.length - 1]).toMatchObject({ action: REPEATED_REFUSALS, targetIds: ['source:*', 'count:5', expect.stringMatching(/^window:/) as unknown] });
  });

  it('a token’s refusals (a 403 of the role check) carry it as the actor, not a source', async () => {
    const req = { ...(from('10.0.0.9') as object), principal: { tokenId: 't-1', role: 'bank', partyCode: 'BANK01' } } as never;
    recorder.note(req, 403, 'AUTH.FORBIDDEN', minute);
    recorder.note(req, 403, 'AUTH.FORBIDDEN', minute + 1);
    await recorder.flush();
    expect(written.map((d) => [d.actorTokenId, d.actorRole, d.actorParty, d.action, d.targetIds.filter((t) => !t.startsWith('window:'))])).toEqual([
      ['t-1', 'bank', 'BANK01', 'GET /v1/loans', []],
      ['t-1', 'bank', 'BANK01', REPEATED_REFUSALS, ['count:1']],
    ]);
  });
});
