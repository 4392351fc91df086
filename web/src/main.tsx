// The web UI's entry: the layout (navigation and the page for the URL) mounted into index.html.
import { StrictMode, useEffect, useState } from 'react';
import { TOKEN_WANTED } from './api.js';
import { createRoot } from 'react-dom/client';
import { BoardPage } from './pages/board.js';
import { CompareRunsPage } from './pages/compare-runs.js';
import { DatasetPage, DatasetsPage } from './pages/data.js';
import { EvaluationPage, EvaluationsPage } from './pages/evaluations.js';
import { ExperimentPage, ExperimentsPage } from './pages/experiments.js';
import { ModelPage, ModelsPage, ModelVersionPage } from './pages/models.js';
import { MonitorPage, MonitorsPage } from './pages/monitors.js';
import { ProblemPage } from './pages/problem.js';
import { RolloutPage, RolloutsPage } from './pages/rollouts.js';
import { RunPage } from './pages/run.js';
import { RunsPage } from './pages/runs.js';
import { SurveyPage } from './pages/survey-design.js';
import { ServingPage } from './pages/serving.js';
import { Link, segmentsAfter, useLocation } from './router.js';
import { TokenForm } from './view.js';
import './style.css';

const SECTIONS = [
  { path: '/', title: 'Lifecycle' },
  { path: '/problem', title: 'Problem' },
  { path: '/data', title: 'Data' },
  { path: '/survey', title: 'Survey & design' },
  { path: '/runs', title: 'Runs' },
  { path: '/models', title: 'Models' },
  { path: '/evaluations', title: 'Evaluations' },
  { path: '/serving', title: 'Serving' },
  { path: '/experiments', title: 'Experiments' },
  { path: '/rollouts', title: 'Rollouts' },
  { path: '/monitors', title: 'Monitors' },
] as const;

function Page() {
  const { path, query } = useLocation();
  const under = (prefix: string) => path === prefix || path.startsWith(`${prefix}/`);
  if (path === '/' || path === '/board') return <BoardPage />;
  if (path === '/problem') return <ProblemPage />;
  if (under('/data')) {
    const [name] = segmentsAfter(path, '/data');
    return name === undefined ? <DatasetsPage /> : <DatasetPage name={name} />;
  }
  if (path === '/survey') return <SurveyPage />;
  if (path === '/serving') return <ServingPage />;
  if (path === '/runs/compare') return <CompareRunsPage query={query} />;
  if (under('/runs')) {
    const [id] = segmentsAfter(path, '/runs');
    return id === undefined ? <RunsPage query={query} /> : <RunPage id={id} />;
  }
  if (under('/models')) {
    const [name, version] = segmentsAfter(path, '/models');
    if (name === undefined) return <ModelsPage />;
    return version === undefined ? <ModelPage name={name} /> : <ModelVersionPage name={name} version={version} />;
  }
  if (under('/evaluations')) {
    const [id] = segmentsAfter(path, '/evaluations');
    return id === undefined ? <EvaluationsPage /> : <EvaluationPage id={id} />;
  }
  if (under('/experiments')) {
    const [name] = segmentsAfter(path, '/experiments');
    return name === undefined ? <ExperimentsPage /> : <ExperimentPage name={name} />;
  }
  if (under('/rollouts')) {
    const [name] = segmentsAfter(path, '/rollouts');
    return name === undefined ? <RolloutsPage /> : <RolloutPage name={name} />;
  }
  if (under('/monitors')) {
    const [name] = segmentsAfter(path, '/monitors');
    return name === undefined ? <MonitorsPage /> : <MonitorPage name={name} />;
  }
  return (
    <section>
      <h1>Not found</h1>
      <p>
        No page at <code>{path}</code>. <Link to="/">Open the lifecycle board.</Link>
      </p>
    </section>
  );
}

function App() {
  const { path } = useLocation();
  const [tokenWanted, setTokenWanted] = useState(false);
  useEffect(() => {
    const want = () => setTokenWanted(true);
    window.addEventListener(TOKEN_WANTED, want);
    return () => window.removeEventListener(TOKEN_WANTED, want);
  }, []);
  const active = (section: string) => (section === '/' ? path === '/' || path === '/board' : path === section || path.startsWith(`${section}/`));
  return (
    <>
      <header className="top">
        <Link to="/" className="brand">
          mlcycle
        </Link>
        <nav>
          {SECTIONS.map((section) => (
            <Link key={section.path} to={section.path} className={active(section.path) ? 'active' : ''}>
              {section.title}
            </Link>
          ))}
        </nav>
      </header>
      <main>
        {tokenWanted ? <TokenForm /> : null}
        <Page />
      </main>
    </>
  );
}

const root = document.getElementById('root');
if (root !== null) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
