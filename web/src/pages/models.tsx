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
                    <td className="num">v{version.version}</td>
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
