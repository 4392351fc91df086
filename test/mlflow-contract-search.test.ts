/**
 * Contract: the searches of MLflow's Python client with their paging, over real HTTP. Replayed from MLflow
 * 2.22.0's mlflow/store/tracking/rest_store.py (search_experiments: POST with view_type, max_results,
 * page_token) and mlflow/store/model_registry/rest_store.py (search_registered_models and
 * search_model_versions: GET with filter, max_results, order_by, page_token). Issue 25's problem 7 is a
 * test here.
 */
import { describe, expect, it } from 'vitest';
import { mlflowClient } from './support/mlflow-client.js';

type Client = Awaited<ReturnType<typeof mlflowClient>>;

/** Every page of a search, following next_page_token as the client's PagedList loops do. */
async function allPages(client: Client, method: 'GET' | 'POST', path: string, message: Record<string, unknown>, field: string) {
  const pages: unknown[][] = [];
  let pageToken: string | undefined;
  do {
    const page = await client.tracking(method, path, { ...message, ...(pageToken === undefined ? {} : { page_token: pageToken }) } as Record<string, string>);
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    pages.push(page.body[field] ?? []);
    pageToken = page.body.next_page_token;
  } while (pageToken !== undefined);
  return pages;
}

async function registerVersions(client: Client) {
  const run = (await client.tracking('POST', '/runs/create', { experiment_id: '0', start_time: 1 })).body.run.info;
  const other = (await client.tracking('POST', '/runs/create', { experiment_id: '0', start_time: 1 })).body.run.info;
  for (const info of [run, other]) await client.putArtifact(info.artifact_uri, 'model/MLmodel', 'flavors: {}\n');
  for (const [name, team] of [['churn', 'growth'], ['fraud', 'risk'], ['upsell', 'growth']] as const) {
    await client.tracking('POST', '/registered-models/create', { name, tags: [{ key: 'team', value: team }] });
    await client.tracking('POST', '/model-versions/create', { name, source: `${run.artifact_uri}/model`, run_id: run.run_id });
  }
  await client.tracking('POST', '/model-versions/create', { name: 'churn', source: `${other.artifact_uri}/model`, run_id: other.run_id });
  return { run: run.run_id as string, other: other.run_id as string };
}

describe('MLflow 2.22 client: experiment search (problem 7)', () => {
  it('honours view_type and pages by max_results', async () => {
    const client = await mlflowClient();
    for (const name of ['a', 'b', 'c', 'd']) await client.tracking('POST', '/experiments/create', { name });
    await client.tracking('POST', '/experiments/delete', { experiment_id: '2' });
    const names = (pages: unknown[][]) => pages.map((page) => (page as { name: string }[]).map((experiment) => experiment.name));
    const byId = ['experiment_id ASC'];
    expect(names(await allPages(client, 'POST', '/experiments/search', { view_type: 'ACTIVE_ONLY', max_results: 2, order_by: byId }, 'experiments'))).toEqual([['Default', 'a'], ['c', 'd']]);
    expect(names(await allPages(client, 'POST', '/experiments/search', { view_type: 'DELETED_ONLY', max_results: 2, order_by: byId }, 'experiments'))).toEqual([['b']]);
    expect(names(await allPages(client, 'GET', '/experiments/search', { view_type: 'ALL', max_results: 4, order_by: byId }, 'experiments'))).toEqual([['Default', 'a', 'b', 'c'], ['d']]);
    // search_experiments() with no view type lists the active ones only.
    expect(names(await allPages(client, 'POST', '/experiments/search', { max_results: 1000, order_by: byId }, 'experiments'))).toEqual([['Default', 'a', 'c', 'd']]);
    expect(await client.tracking('POST', '/experiments/search', { view_type: 'SOME' })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
  });

  it('orders as MLflow by default (creation_time DESC, experiment_id ASC) and by order_by, and filters on name and tags', async () => {
    const client = await mlflowClient();
    for (const [name, team] of [['churn-a', 'growth'], ['churn-b', 'risk'], ['fraud', 'risk']]) {
      await client.tracking('POST', '/experiments/create', { name, tags: [{ key: 'team', value: team as string }] });
    }
    const search = async (message: Record<string, string | string[]>) => {
      const answer = await client.tracking('POST', '/experiments/search', message);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return answer.body.experiments as { experiment_id: string; name: string; creation_time: number }[];
    };
    const all = await search({});
    const expected = [...all].sort((a, b) => b.creation_time - a.creation_time || Number(a.experiment_id) - Number(b.experiment_id));
    expect(all.map((experiment) => experiment.name)).toEqual(expected.map((experiment) => experiment.name));
    expect(all.map((experiment) => experiment.name).sort()).toEqual(['Default', 'churn-a', 'churn-b', 'fraud']);
    expect((await search({ order_by: ['name DESC'] })).map((experiment) => experiment.name)).toEqual(['fraud', 'churn-b', 'churn-a', 'Default']);
    expect((await search({ filter: "name LIKE 'churn%'", order_by: ['experiment_id DESC'] })).map((experiment) => experiment.name)).toEqual(['churn-b', 'churn-a']);
    expect((await search({ filter: "tags.team = 'risk' AND attributes.name != 'fraud'" })).map((experiment) => experiment.name)).toEqual(['churn-b']);
    expect((await search({ filter: "name ILIKE 'FRAUD'" })).map((experiment) => experiment.name)).toEqual(['fraud']);
    expect(await client.tracking('POST', '/experiments/search', { order_by: ['colour ASC'] })).toMatchObject({
      status: 400,
      body: { error_code: 'INVALID_PARAMETER_VALUE', message: 'order_by: "colour ASC" is not one of experiment_id, name, creation_time, last_update_time, with ASC or DESC' },
    });
    expect(await client.tracking('POST', '/experiments/search', { filter: "run_id = 'x'" })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('"run_id" is not searchable here') } });
  });
});

describe('MLflow 2.22 client: experiment search by time', () => {
  it('filters on creation_time and last_update_time with every comparison, beside name and tag clauses', async () => {
    const client = await mlflowClient();
    for (const name of ['jan', 'feb', 'mar']) await client.tracking('POST', '/experiments/create', { name, tags: [{ key: 'team', value: 'growth' }] });
    const all = (await client.tracking('POST', '/experiments/search', { order_by: ['experiment_id ASC'] })).body.experiments as { name: string; creation_time: number }[];
    const created = Object.fromEntries(all.map((experiment) => [experiment.name, experiment.creation_time]));
    const feb = created.feb as number;
    // The test clock ticks, so the three experiments were made at three different times.
    expect(new Set([created.jan, feb, created.mar]).size).toBe(3);
    const search = async (filter: string) => {
      const answer = await client.tracking('POST', '/experiments/search', { filter, order_by: ['experiment_id ASC'] });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return ((answer.body.experiments ?? []) as { name: string }[]).map((experiment) => experiment.name);
    };
    // The names whose creation time passes a test, in id order (Default is made when first read, so its time is the server's).
    const madeWhen = (test: (time: number) => boolean) => all.filter((experiment) => test(experiment.creation_time)).map((experiment) => experiment.name);
    // search_experiments(filter_string=...) as MLflow's SearchExperimentsUtils reads it.
    expect(await search(`creation_time > ${feb}`)).toEqual(madeWhen((time) => time > feb));
    expect(await search(`creation_time > ${feb}`)).toContain('mar');
    expect(await search(`attributes.creation_time >= ${feb}`)).toEqual(madeWhen((time) => time >= feb));
    expect(await search(`attribute.creation_time < ${feb}`)).toEqual(madeWhen((time) => time < feb));
    expect(await search(`attribute.creation_time < ${feb}`)).toContain('jan');
    expect(await search(`attr.creation_time <= ${feb} AND tags.team = 'growth'`)).toEqual(['jan', 'feb']);
    expect(await search(`creation_time = ${feb}`)).toEqual(['feb']);
    expect(await search(`creation_time != ${feb} AND name LIKE '%a%' AND tags.team = 'growth'`)).toEqual(['jan', 'mar']);
    expect(await search(`last_update_time >= ${feb} AND attributes.name != 'mar' AND tags.team = 'growth'`)).toEqual(['feb']);
    expect(await client.tracking('POST', '/experiments/search', { filter: "creation_time > 'yesterday'" })).toMatchObject({
      status: 400,
      body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('expected a whole number of milliseconds') },
    });
    expect(await client.tracking('POST', '/experiments/search', { filter: 'creation_time ~ 5' })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
  });
});

describe('MLflow 2.22 client: experiment tags (problem 6)', () => {
  it('deletes an experiment tag with MlflowClient.delete_experiment_tag, and says when there is none', async () => {
    const client = await mlflowClient();
    const id = (await client.tracking('POST', '/experiments/create', { name: 'churn', tags: [{ key: 'team', value: 'growth' }, { key: 'owner', value: 'ana' }] })).body.experiment_id;
    expect(await client.tracking('POST', '/experiments/delete-experiment-tag', { experiment_id: id, key: 'team' })).toMatchObject({ status: 200, body: {} });
    expect((await client.tracking('GET', '/experiments/get', { experiment_id: id })).body.experiment.tags).toEqual([{ key: 'owner', value: 'ana' }]);
    expect(await client.tracking('POST', '/experiments/delete-experiment-tag', { experiment_id: id, key: 'team' })).toMatchObject({
      status: 404,
      body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: `No tag with name: team in experiment with id ${id}` },
    });
    expect((await client.workspace.audit.list({ actionPrefix: 'experiment.tag-deleted' })).map((entry) => entry.details)).toEqual([{ key: 'team' }]);
  });
});

describe('MLflow 2.22 client: registry searches (problem 7)', () => {
  it('searches model versions with no filter, by run_id and by name, page by page', async () => {
    const client = await mlflowClient();
    const { run, other } = await registerVersions(client);
    const versions = (pages: unknown[][]) => pages.map((page) => (page as { name: string; version: string }[]).map((version) => `${version.name}/${version.version}`));
    // search_model_versions() sends no filter at all.
    expect(versions(await allPages(client, 'GET', '/model-versions/search', { max_results: 3 }, 'model_versions'))).toEqual([['churn/2', 'churn/1', 'fraud/1'], ['upsell/1']]);
    expect(versions(await allPages(client, 'GET', '/model-versions/search', { filter: `run_id = '${run}'` }, 'model_versions'))).toEqual([['churn/1', 'fraud/1', 'upsell/1']]);
    expect(versions(await allPages(client, 'GET', '/model-versions/search', { filter: `run_id IN ('${other}')` }, 'model_versions'))).toEqual([['churn/2']]);
    expect(versions(await allPages(client, 'GET', '/model-versions/search', { filter: "name = 'churn'", order_by: ['version_number ASC'] }, 'model_versions'))).toEqual([['churn/1', 'churn/2']]);
    expect(await client.tracking('GET', '/model-versions/search', { filter: "stage = 'Production'" })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('"stage" is not searchable here') } });
  });

  it('searches registered models with max_results, order_by and tag filters', async () => {
    const client = await mlflowClient();
    await registerVersions(client);
    const names = (pages: unknown[][]) => pages.map((page) => (page as { name: string }[]).map((model) => model.name));
    expect(names(await allPages(client, 'GET', '/registered-models/search', { max_results: 2 }, 'registered_models'))).toEqual([['churn', 'fraud'], ['upsell']]);
    expect(names(await allPages(client, 'GET', '/registered-models/search', { order_by: ['name DESC'], max_results: 10 }, 'registered_models'))).toEqual([['upsell', 'fraud', 'churn']]);
    expect(names(await allPages(client, 'GET', '/registered-models/search', { filter: "tags.team = 'growth'" }, 'registered_models'))).toEqual([['churn', 'upsell']]);
    expect(names(await allPages(client, 'GET', '/registered-models/search', { filter: "name LIKE '%u%' AND tags.`team` != 'growth'" }, 'registered_models'))).toEqual([['fraud']]);
    const churn = (await client.tracking('GET', '/registered-models/search', { filter: "name = 'churn'" })).body.registered_models[0];
    expect(churn).toMatchObject({ name: 'churn', latest_versions: [{ version: '2' }], tags: [{ key: 'team', value: 'growth' }] });
    expect(await client.tracking('GET', '/registered-models/search', { max_results: 1001 })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect(await client.tracking('GET', '/registered-models/search', { order_by: ['owner ASC'] })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
  });

  it('renames a registered model with its versions and aliases (problem 6)', async () => {
    const client = await mlflowClient();
    await registerVersions(client);
    await client.tracking('POST', '/registered-models/alias', { name: 'churn', alias: 'champion', version: '2' });
    // MlflowClient.rename_registered_model(name, new_name).
    const renamed = await client.tracking('POST', '/registered-models/rename', { name: 'churn', new_name: 'attrition' });
    expect(renamed).toMatchObject({ status: 200, body: { registered_model: { name: 'attrition', aliases: [{ alias: 'champion', version: '2' }], tags: [{ key: 'team', value: 'growth' }] } } });
    expect((await client.tracking('GET', '/registered-models/alias', { name: 'attrition', alias: 'champion' })).body.model_version).toMatchObject({ name: 'attrition', version: '2' });
    expect(await client.tracking('GET', '/registered-models/get', { name: 'churn' })).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    expect(await client.tracking('POST', '/registered-models/rename', { name: 'attrition', new_name: 'fraud' })).toMatchObject({
      status: 400,
      body: { error_code: 'RESOURCE_ALREADY_EXISTS', message: 'Registered Model (name=fraud) already exists.' },
    });
    expect(await client.tracking('POST', '/registered-models/rename', { name: 'nope', new_name: 'other' })).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    expect((await client.workspace.registry.listEvents()).at(-1)).toMatchObject({ type: 'registered_model.updated', model: 'attrition', details: { name: 'attrition', was: 'churn' } });
  });
});
