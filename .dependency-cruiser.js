/**
 * The layers of ARCHITECTURE.md, enforced by dependency-cruiser (`npm run lint`). Bottom up:
 *   pure       stats, models, optimizer, metrics, report      (numerics and shared report helpers, no I/O)
 *   storage    store (interfaces; one folder per backend), jobs (the background job queue)
 *   stages     problem, data, explore, train, tracking, evaluate, experiment, and the coming
 *              serve, events, rollout, monitor, survey, design
 *   services   server, client, web
 *   roots      cli, demo (and index.ts, the library's entry)
 * A layer imports only itself and the layers below it; a backend folder under store/ is picked only by
 * store/ itself and by cli, server and demo. Tests are composition roots too: the layer rules skip them,
 * the cycle rules do not.
 */
const PURE = '(stats|models|optimizer|metrics|report)';
const STAGES = '(problem|data|explore|train|tracking|evaluate|experiment|serve|events|rollout|monitor|survey|design)';
const SERVICES = '(server|client|web)';
const ROOTS = '(cli|demo)';
const TEST = '\\.test\\.ts$';
const ROOT_FILES = '^src/(index|lifecycle)\\.ts$';

export default {
  forbidden: [
    {
      name: 'no-value-cycle',
      comment: 'No import cycle of values anywhere: modules load in one order, and layers stay layers.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-cycle-across-folders',
      comment: 'A cycle of type imports may stay inside one folder of src/, never between folders.',
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { circular: true, via: { pathNot: '^src/$1/' } },
    },
    {
      name: 'pure-imports-pure',
      comment: `${PURE} are pure: they import each other and error.ts, never storage, a stage, a service or a root.`,
      severity: 'error',
      from: { path: `^src/${PURE}/`, pathNot: TEST },
      to: { path: '^src/', pathNot: `^src/${PURE}/|^src/error\\.ts$` },
    },
    {
      name: 'store-knows-no-stage',
      comment: 'store/ holds interfaces and backends; it imports the pure layer only, never a stage or above.',
      severity: 'error',
      from: { path: '^src/store/', pathNot: TEST },
      to: { path: '^src/', pathNot: `^src/(store|${PURE.slice(1, -1)})/|^src/(error|key-record)\\.ts$` },
    },
    {
      name: 'jobs-knows-no-stage',
      comment: 'jobs/ is the queue every background job shares; the stages bring the handlers.',
      severity: 'error',
      from: { path: '^src/jobs/', pathNot: TEST },
      to: { path: '^src/', pathNot: '^src/jobs/|^src/error\\.ts$' },
    },
    {
      name: 'stages-below-services',
      comment: 'Stages import storage, jobs, other stages and the pure layer; never a service or a root.',
      severity: 'error',
      from: { path: `^src/${STAGES}/`, pathNot: TEST },
      to: { path: `^src/${SERVICES}/|^src/${ROOTS}/|${ROOT_FILES}` },
    },
    {
      name: 'services-below-roots',
      comment: "The server and the client never import the CLI, the demo or the library's entry; lifecycle.ts (the board's evidence sources) sits with the stages, so the server may read the board.",
      severity: 'error',
      from: { path: `^src/${SERVICES}/`, pathNot: TEST },
      to: { path: `^src/${ROOTS}/|^src/index\\.ts$` },
    },
    {
      name: 'only-roots-pick-backends',
      comment: 'A backend folder (store/sqlite, store/duckdb, later store/postgres...) is imported by store/ itself and by cli, server and demo only; stages reach storage through the interfaces of store/.',
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/(store|server|${ROOTS.slice(1, -1)})/|${TEST}|^src/index\\.ts$` },
      to: { path: '^src/store/[^/]+/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are dependencies too (kept as `type-only`), so that cycles of types are seen.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
