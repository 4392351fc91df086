import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { tempDir, testContext } from '../../../test/support/temp-dir.js';
import { createWorkspace } from '../../store/workspace.js';
import { checkWebhookTarget, isPrivateAddress } from './webhook-targets.js';
import { addWebhook, deliverWebhooks } from './webhooks.js';

const PRIVATE_URLS = [
  'http://127.0.0.1/', 'http://2130706433/', 'http://0x7f.1/', 'http://017700000001/', 'http://0/', 'http://10.0.0.5/', 'http://172.20.1.1/',
  'http://192.168.1.1/', 'http://169.254.169.254/latest/meta-data', 'http://100.64.0.1/', 'http://[::1]/', 'http://[::]/', 'http://[::ffff:127.0.0.1]/',
  'http://[::ffff:a9fe:a9fe]/', 'http://[fe80::1]/', 'http://[fd00::1]/', 'http://[64:ff9b::a00:1]/', 'http://[::127.0.0.1]/', 'http://224.0.0.1/',
];
const PUBLIC_URLS = ['http://8.8.8.8/', 'https://1.1.1.1/hook', 'http://[2606:4700:4700::1111]/', 'http://[::ffff:8.8.8.8]/', 'http://172.32.0.1/', 'http://100.128.0.1/'];

describe('webhook targets', () => {
  it('tells private, loopback and link-local addresses in every numeric form from public ones', () => {
    for (const url of PRIVATE_URLS) expect(isPrivateAddress(new URL(url).hostname), url).toBe(true);
    for (const url of PUBLIC_URLS) expect(isPrivateAddress(new URL(url).hostname), url).toBe(false);
  });

  it('refuses a private target when added, unless allowed, and checks names after resolution', async () => {
    for (const url of PRIVATE_URLS) await expect(checkWebhookTarget(new URL(url), { allowPrivate: false, unresolvable: 'refuse' }), url).rejects.toMatchObject({ code: 'invalid_input', issues: [{ path: 'url' }] });
    await expect(checkWebhookTarget(new URL('http://127.0.0.1/'), { allowPrivate: true, unresolvable: 'refuse' })).resolves.toBeUndefined();
    const resolve = async () => ['93.184.216.34', '10.0.0.1'];
    await expect(checkWebhookTarget(new URL('http://hooks.example/'), { allowPrivate: false, unresolvable: 'refuse', resolve })).rejects.toThrow(/hooks\.example is a private, loopback or link-local address \(10\.0\.0\.1\)/);
    const { workspace } = await createWorkspace(tempDir(), 'hooks', testContext());
    await expect(addWebhook(workspace.webhooks, { url: 'http://[::ffff:169.254.169.254]/' }, testContext())).rejects.toThrow(/--allow-private-webhooks/);
    expect(await workspace.webhooks.listWebhooks()).toEqual([]);
    await workspace.close();
  });

  it('checks again at delivery, at the connection itself: a name that now resolves to loopback is not called', async () => {
    const calls: string[] = [];
    const server = createServer((request, response) => {
      calls.push(request.url ?? '');
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const { workspace } = await createWorkspace(tempDir(), 'rebind', testContext());
      let address = '93.184.216.34';
      const lookups: string[] = [];
      const resolveHost = async (host: string) => {
        lookups.push(host);
        return [address];
      };
      await addWebhook(workspace.webhooks, { url: `http://hooks.example:${port}/x`, resolveHost }, testContext());
      await workspace.registry.createModel('m', '', testContext());
      address = '127.0.0.1';
      lookups.length = 0;
      const [refused] = await deliverWebhooks(workspace.webhooks, { resolveHost });
      expect(calls).toEqual([]);
      // One resolution per attempt, made by the connection: nothing resolves the name a second time.
      expect(lookups).toEqual(['hooks.example']);
      expect(refused).toMatchObject({ state: 'pending', attempts: 1 });
      expect(refused?.lastError).toMatch(/private, loopback or link-local address \(127\.0\.0\.1\)/);
      // Allowed, the same delivery goes to exactly the address the resolver gave (not to what system DNS says
      // of hooks.example), which is what makes the check binding.
      const later = () => new Date(Date.now() + 3_600_000);
      const [delivered] = await deliverWebhooks(workspace.webhooks, { resolveHost, allowPrivateTargets: true, now: later });
      expect(calls).toEqual(['/x']);
      expect(delivered).toMatchObject({ state: 'delivered', attempts: 2 });
      await workspace.close();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
