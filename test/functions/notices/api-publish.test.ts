/** The API publishes the notices of each committed change to the notice queue (injected), and they are delivered. */
import { readFileSync } from 'node:fs';
import { createApi } from '../../../functions/api/app';
import { event, registration, testConfig } from '../../support/api';
import { CITY } from '../../support/cases';
import { silent, useNoticeWorld } from './world';

const world = useNoticeWorld();

describe('API → notice queue', () => {
  it('queues the seizure notices after the commit, not on a replayed request', async () => {
    const p = await world.pipeline();
    const published: string[][] = [];
    const api = createApi({
      store: world.table.store,
      settings: world.table.settings,
      config: testConfig(world.table.tableName),
      logger: silent,
      now: () => world.clock.now,
      publishNotices: async (t) => {
        published.push(t.notices.map((n) => n.noticeId));
        return p.publishNotices(t);
      },
    });
    const created = await api(event('POST', '/cases', { body: registration() }));
    expect(created.statusCode).toBe(201);
    const caseId = String((JSON.parse(created.body) as { caseId: string }).caseId);
    expect(published).toEqual([]); // registration causes no notice

    const seize = () =>
      event('POST', `/cases/${caseId}/seizures`, {
        body: { cityId: CITY, seizures: [{ exchange: 'UPBIT', market: 'KRW-BTC', quantity: '0.05' }] },
        key: `seize-${caseId}`,
      });
    expect((await api(seize())).statusCode).toBe(200);
    expect((await api(seize())).statusCode).toBe(200); // replayed: nothing new to publish
    expect(published).toHaveLength(1);
    expect(published[0]).toHaveLength(2);

    const reports = await p.consumer.drain();
    expect(reports.flatMap((r) => r.succeeded)).toHaveLength(2);
    const text = readFileSync(p.folder.paths(CITY, caseId, published[0]?.[0] ?? '').text, 'utf8');
    expect(text).toContain('가상자산 압류 통지 및 이전 요구');
    expect(text).toContain('김납세');
  });
});
