// Being built in this session (issue 5); replaced by its feature.
export function SessionsPage(_props: { params: Record<string, string> }) {
  return <div className="page"><h1>SessionsPage</h1></div>;
}
