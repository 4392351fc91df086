// The model registry: every model with its aliases, and a model's versions with their runs, aliases and
// stages; moving an alias is the page's action.
import { useState } from 'react';
import { api, useAccess, useLoad } from '../api.js';
import { Link } from '../router.js';
import { Badge, ErrorBox, formatTime, Show } from '../view.js';

export function ModelsPage() {
  const [models] = useLoad(() => api().listModels(), 'models');
  return (
    <section>
      <h1>Models</h1>
      <Show loaded={models}>
        {(list) =>
          list.length === 0 ? (
            <p className="muted">No registered models. Register one with `mlcycle models register`.</p>
          ) : (
            <table className="models">
              <thead>
                <tr>
                  <th>Model</th>
                  <th>Latest version</th>
                  <th>Aliases</th>
                  <th>Updated</th>
                  <th>Description</th>
                </tr>
              </thead>
              <tbody>
                {list.map((model) => (
                  <tr key={model.name} data-model={model.name}>
                    <td>
                      <Link to={`/models/${encodeURIComponent(model.name)}`}>{model.name}</Link>
                    </td>
                    <td className="num">{model.latestVersion ?? '–'}</td>
                    <td>
                      {Object.entries(model.aliases)
                        .sort(([a], [b]) => a.localeCompare(b))
                        .map(([alias, version]) => (
                          <Badge key={alias} kind="alias">
                            @{alias} → v{version}
                          </Badge>
                        ))}
                    </td>
                    <td className="nowrap">{formatTime(model.updatedAt)}</td>
                    <td>{model.description}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
    </section>
  );
}

export function ModelPage({ name }: { name: string }) {
  const [detail, reload] = useLoad(() => api().getModel(name), name);
  const access = useAccess();
  return (
    <section>
      <p className="crumbs">
        <Link to="/models">Models</Link> /
      </p>
      <Show loaded={detail}>
        {({ model, versions }) => (
          <>
            <h1>{model.name}</h1>
            {model.description === '' ? null : <p>{model.description}</p>}
            <table className="versions">
              <thead>
                <tr>
                  <th>Version</th>
                  <th>Aliases</th>
                  <th>Stage</th>
                  <th>Run</th>
                  <th>Created</th>
                  <th>By</th>
                  <th>Description</th>
                </tr>
              </thead>
              <tbody>
                {versions.map((version) => (
                  <tr key={version.version} data-version={version.version}>
                    <td className="num">
                      <Link to={`/models/${encodeURIComponent(version.model)}/${version.version}`}>v{version.version}</Link>
                    </td>
                    <td className="aliases">
                      {version.aliases.map((alias) => (
                        <Badge key={alias} kind="alias">
                          @{alias}
                        </Badge>
                      ))}
                    </td>
                    <td>{version.stage === 'None' ? '' : version.stage}</td>
                    <td>
                      <Link to={`/runs/${encodeURIComponent(version.runId)}`}>{version.runId.slice(0, 12)}</Link>
                    </td>
                    <td className="nowrap">{formatTime(version.createdAt)}</td>
                    <td>{version.createdBy}</td>
                    <td>{version.description}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {access !== 'read' ? null : <p className="muted">This token may only read: moving aliases needs a write token.</p>}
            {access !== 'write' ? null : <MoveAlias model={model.name} versions={versions.map((version) => version.version)} aliases={Object.keys(model.aliases)} onMoved={reload} />}
          </>
        )}
      </Show>
    </section>
  );
}

function MoveAlias({ model, versions, aliases, onMoved }: { model: string; versions: number[]; aliases: string[]; onMoved: () => void }) {
  const [alias, setAlias] = useState(aliases[0] ?? 'champion');
  const [version, setVersion] = useState(versions[0] ?? 1);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="action"
      onSubmit={(event) => {
        event.preventDefault();
        setBusy(true);
        setError(undefined);
        api()
          .setModelAlias(model, alias.trim(), version)
          .then(onMoved, setError)
          .finally(() => setBusy(false));
      }}
    >
      <h2>Move an alias</h2>
      <label>
        Alias <input aria-label="alias" list="aliases" value={alias} onChange={(event) => setAlias(event.target.value)} />
      </label>
      <datalist id="aliases">
        {aliases.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      <label>
        to version{' '}
        <select aria-label="version" value={version} onChange={(event) => setVersion(Number(event.target.value))}>
          {versions.map((number) => (
            <option key={number} value={number}>
              v{number}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={busy || alias.trim() === ''}>
        Set alias
      </button>
      {error === undefined ? null : <ErrorBox error={error} />}
    </form>
  );
}

/** One version: where it came from (datasets, then the run, then the version) and its model card. */
export function ModelVersionPage({ name, version }: { name: string; version: string }) {
  const uri = `models:/${name}/${version}`;
  const [loaded] = useLoad(async () => {
    const [lineage, card] = await Promise.all([api().modelLineage(uri), api().modelCardMarkdown(uri)]);
    return { lineage, card };
  }, uri);
  return (
    <section>
      <p className="crumbs">
        <Link to="/models">Models</Link> / <Link to={`/models/${encodeURIComponent(name)}`}>{name}</Link> /
      </p>
      <Show loaded={loaded}>
        {({ lineage, card }) => (
          <>
            <h1>
              {name} v{lineage.version.version}{' '}
              {lineage.version.aliases.map((alias) => (
                <Badge key={alias} kind="alias">
                  @{alias}
                </Badge>
              ))}
            </h1>
            <h2>Lineage</h2>
            <div className="lineage-graph">
              <div className="lineage-column">
                {lineage.inputs.length === 0 ? <div className="node muted">no dataset inputs logged</div> : null}
                {lineage.inputs.map(({ input, datasetVersion }, index) => (
                  <div key={index} className="node dataset" data-dataset={input.versionRef ?? input.dataset}>
                    <strong>{input.versionRef ?? input.dataset}</strong>
                    {input.context === '' ? null : <span className="muted"> ({input.context})</span>}
                    {datasetVersion === undefined ? null : <div className="muted small">{datasetVersion.rowCount.toLocaleString('en-US')} rows{datasetVersion.lineage.parents === undefined ? '' : ` · from ${datasetVersion.lineage.parents.map((parent) => parent.ref).join(', ')}`}{datasetVersion.lineage.source === undefined ? '' : ` · from ${datasetVersion.lineage.source.path}`}</div>}
                  </div>
                ))}
              </div>
              <div className="arrow">→</div>
              <div className="lineage-column">
                <div className="node run">
                  run <Link to={`/runs/${encodeURIComponent(lineage.run.id)}`}>{lineage.run.name}</Link>
                  <div className="muted small">{formatTime(lineage.run.startTime)}</div>
                </div>
              </div>
              <div className="arrow">→</div>
              <div className="lineage-column">
                <div className="node version">
                  <strong>
                    {name} v{lineage.version.version}
                  </strong>
                  <div className="muted small">artifact {lineage.version.source}</div>
                </div>
              </div>
            </div>
            <h2>Model card</h2>
            <pre className="spec-text model-card">{card}</pre>
          </>
        )}
      </Show>
    </section>
  );
}
