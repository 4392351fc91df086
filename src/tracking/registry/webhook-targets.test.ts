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

  it('checks again at delivery: a name that now resolves to loopback is not called', async () => {
    const { workspace } = await createWorkspace(tempDir(), 'rebind', testContext());
    let address = '93.184.216.34';
    const resolveHost = async () => [address];
    await addWebhook(workspace.webhooks, { url: 'http://hooks.example/x', resolveHost }, testContext());
    await workspace.registry.createModel('m', '', testContext());
    address = '127.0.0.1';
    const called: string[] = [];
    const fetch = (async (url: string) => {
      called.push(url);
      return new Response('');
    }) as unknown as typeof globalThis.fetch;
    const [delivery] = await deliverWebhooks(workspace.webhooks, { resolveHost, fetch });
    expect(called).toEqual([]);
    expect(delivery).toMatchObject({ state: 'pending', attempts: 1 });
    expect(delivery?.lastError).toMatch(/private, loopback or link-local address \(127\.0\.0\.1\)/);
    await workspace.close();
  });
});
