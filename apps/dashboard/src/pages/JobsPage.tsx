// Being built in this session (issue 5); replaced by its feature.
export function JobsPage(_props: { params: Record<string, string> }) {
  return <div className="page"><h1>JobsPage</h1></div>;
}
