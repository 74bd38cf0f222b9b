import { lazy, Suspense, type ComponentType } from 'react';
import { Loading } from '../ui/components';
import { Layout } from './Layout';
import { matchPath, useLocation } from './router';
import { NowPage } from '../pages/NowPage';
import { JobsPage } from '../pages/JobsPage';
import { JobPage } from '../pages/JobPage';
import { NewJobPage } from '../pages/NewJobPage';
import { SessionsPage } from '../pages/SessionsPage';
import { InboxPage } from '../pages/InboxPage';
import { ProjectsPage } from '../pages/ProjectsPage';
import { SecurityPage } from '../pages/SecurityPage';
import { KnowledgePage } from '../pages/KnowledgePage';

// The terminal (xterm.js) and the charts (uPlot) load when their page is opened, not on first load.
const SessionPage = lazy(() => import('../pages/SessionPage').then((m) => ({ default: m.SessionPage })));
const StatsPage = lazy(() => import('../pages/StatsPage').then((m) => ({ default: m.StatsPage })));
// A hub's pages load only on a hub, when opened: a lone daemon's first load does not carry them.
const HostsPage = lazy(() => import('../pages/HostsPage').then((m) => ({ default: m.HostsPage })));
const BoardPage = lazy(() => import('../pages/BoardPage').then((m) => ({ default: m.BoardPage })));
const TaskPage = lazy(() => import('../pages/TaskPage').then((m) => ({ default: m.TaskPage })));
const ChannelPage = lazy(() => import('../pages/ChannelPage').then((m) => ({ default: m.ChannelPage })));
const PipelinePage = lazy(() => import('../pages/PipelinePage').then((m) => ({ default: m.PipelinePage })));

type Page = ComponentType<{ params: Record<string, string> }>;

const ROUTES: ReadonlyArray<[string, Page]> = [
  ['/', NowPage],
  ['/jobs', JobsPage],
  ['/jobs/:id', JobPage],
  ['/new', NewJobPage],
  ['/sessions', SessionsPage],
  ['/sessions/:name', SessionPage],
  ['/inbox', InboxPage],
  ['/projects', ProjectsPage],
  ['/knowledge', KnowledgePage],
  ['/stats', StatsPage],
  ['/security', SecurityPage],
  ['/hosts', HostsPage],
  ['/board', BoardPage],
  ['/board/:ref', TaskPage],
  ['/channel', ChannelPage],
  ['/pipeline', PipelinePage],
];

export function App() {
  const { path } = useLocation();
  let page = <NotFound path={path} />;
  for (const [pattern, Component] of ROUTES) {
    const params = matchPath(pattern, path);
    if (params) {
      page = <Component params={params} />;
      break;
    }
  }
  return (
    <Layout>
      <Suspense fallback={<Loading lines={6} />}>{page}</Suspense>
    </Layout>
  );
}

function NotFound({ path }: { path: string }) {
  return (
    <div className="page">
      <h1>Not found</h1>
      <p>
        Nothing lives at <code>{path}</code>.
      </p>
    </div>
  );
}
