// Being built in this session (issue 5); replaced by its feature.
export function ProjectsPage(_props: { params: Record<string, string> }) {
  return <div className="page"><h1>ProjectsPage</h1></div>;
}
