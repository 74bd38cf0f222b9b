// Being built in this session (issue 5); replaced by its feature.
export function JobPage(_props: { params: Record<string, string> }) {
  return <div className="page"><h1>JobPage</h1></div>;
}
