import '../features/projects/projects.css';
import { Projects } from '../features/projects/Projects';

/** Each repository with its worktrees, branches and the jobs on them. */
export function ProjectsPage(_props: { params: Record<string, string> }) {
  return <Projects />;
}
