// The data: datasets with their versions, and a dataset's versions with rows, columns, lineage and the
// latest validation's checks.
import { api, useLoad } from '../api.js';
import { Link } from '../router.js';
import { Badge, formatTime, Show } from '../view.js';

export function DatasetsPage() {
  const [list] = useLoad(() => api().listDatasets(), 'datasets');
  return (
    <section>
      <h1>Data</h1>
      <Show loaded={list}>
        {(datasets) =>
          datasets.length === 0 ? (
            <p className="muted">No datasets. Add one with `mlcycle data add PATH --name NAME`.</p>
          ) : (
            <table className="datasets">
              <thead>
                <tr>
                  <th>Dataset</th>
                  <th className="num">Versions</th>
                  <th>Latest</th>
                  <th className="num">Rows</th>
                  <th className="num">Columns</th>
                  <th>Added</th>
                </tr>
              </thead>
              <tbody>
                {datasets.map((dataset) => (
                  <tr key={dataset.name} data-dataset={dataset.name}>
                    <td>
                      <Link to={`/data/${encodeURIComponent(dataset.name)}`}>{dataset.name}</Link>
                    </td>
                    <td className="num">{dataset.versions}</td>
                    <td>{dataset.latest.ref}</td>
                    <td className="num">{dataset.latest.rowCount.toLocaleString('en-US')}</td>
                    <td className="num">{dataset.latest.columns.length}</td>
                    <td className="nowrap">{formatTime(dataset.latest.createdAt)}</td>
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

export function DatasetPage({ name }: { name: string }) {
  const [loaded] = useLoad(() => api().getDataset(name), name);
  return (
    <section>
      <p className="crumbs">
        <Link to="/data">Data</Link> /
      </p>
      <h1>{name}</h1>
      <Show loaded={loaded}>
        {({ versions }) => (
          <>
            {versions.map(({ version, validation }) => (
              <div key={version.ref} className="dataset-version" data-version={version.ref}>
                <h2>
                  {version.ref}{' '}
                  {validation === null ? <Badge kind="neutral">not validated</Badge> : <Badge kind={validation.passed ? 'done' : 'failed'}>{validation.passed ? 'valid' : 'invalid'}</Badge>}
                </h2>
                <p className="muted">
                  {version.rowCount.toLocaleString('en-US')} rows · {version.columns.length} columns · {formatTime(version.createdAt)} by {version.createdBy} · hash {version.hash.slice(0, 12)}
                </p>
                <p className="lineage">
                  {version.lineage.source === undefined ? null : (
                    <>
                      From <code>{version.lineage.source.path}</code> ({version.lineage.source.format}).{' '}
                    </>
                  )}
                  {version.lineage.parents === undefined || version.lineage.parents.length === 0 ? null : <>Made from {version.lineage.parents.map((parent) => parent.ref).join(', ')}. </>}
                </p>
                {validation === null ? null : (
                  <ul className="health">
                    {validation.outcomes.map((outcome, index) => (
                      <li key={index} className={outcome.passed ? 'good' : 'bad'}>
                        {outcome.description}
                        {outcome.passed ? '' : ` (observed ${String(outcome.observed)}, ${outcome.severity})`}
                      </li>
                    ))}
                  </ul>
                )}
                {version.columns.length === 0 ? null : (
                  <details>
                    <summary>Columns</summary>
                    <table className="columns-table">
                      <thead>
                        <tr>
                          <th>Column</th>
                          <th>Type</th>
                          <th className="num">Non-null</th>
                          <th className="num">Distinct</th>
                          <th>Min</th>
                          <th>Max</th>
                        </tr>
                      </thead>
                      <tbody>
                        {version.columns.map((column) => (
                          <tr key={column.name}>
                            <td>{column.name}</td>
                            <td>{column.semanticType}</td>
                            <td className="num">{column.nonNull.toLocaleString('en-US')}</td>
                            <td className="num">{column.distinct.toLocaleString('en-US')}</td>
                            <td>{String(column.min ?? '')}</td>
                            <td>{String(column.max ?? '')}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </details>
                )}
              </div>
            ))}
          </>
        )}
      </Show>
    </section>
  );
}
