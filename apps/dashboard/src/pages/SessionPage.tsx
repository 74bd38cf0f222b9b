// Being built in this session (issue 5); replaced by its feature.
export function SessionPage(_props: { params: Record<string, string> }) {
  return <div className="page"><h1>SessionPage</h1></div>;
}
