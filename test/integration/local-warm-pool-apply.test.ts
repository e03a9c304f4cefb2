import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyLocalWarmPool } from '../../main/app/local-warm-pool.ts';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';
import { bubblewrapSkipReason, skipWhen } from '../helpers/skip.ts';

/** The window's warm-pool setting, applied to a running local provider (bubblewrap sandboxes) through Daytona's warm-pool API. */
describe('the warm pool size applied to a running local provider', skipWhen(bubblewrapSkipReason(), 'bubblewrap'), () => {
  let t: TestProvider;
  beforeAll(async () => {
    t = await startTestProvider({ warmPoolSize: 2 });
  }, 60_000);
  afterAll(async () => t?.stop());

  const pools = async () => (await (await t.request('/warm-pools')).json()) as { id: string; pool: number; currentSize: number }[];
  const endpoint = () => ({ apiUrl: t.provider.apiUrl, apiKey: t.provider.apiKey });

  it('resizes the pool, removes it at 0, and creates it again', async () => {
    expect(await pools()).toMatchObject([{ id: 'local', pool: 2 }]);
    await applyLocalWarmPool(endpoint(), 4);
    expect(await pools()).toMatchObject([{ pool: 4 }]);
    await expect.poll(async () => (await pools())[0]?.currentSize, { timeout: 60_000, interval: 200 }).toBe(4);
    await applyLocalWarmPool(endpoint(), 0);
    expect(await pools()).toEqual([]);
    await applyLocalWarmPool(endpoint(), 0);
    expect(await pools()).toEqual([]);
    await applyLocalWarmPool(endpoint(), 1);
    expect(await pools()).toMatchObject([{ pool: 1 }]);
  }, 90_000);

  it('a refused size comes back as an error naming the limit', async () => {
    await expect(applyLocalWarmPool(endpoint(), 50)).rejects.toThrow(/at most 10/);
  });
});
