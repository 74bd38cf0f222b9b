// Being built in this session (issue 5); replaced by its feature.
export function StatsPage(_props: { params: Record<string, string> }) {
  return <div className="page"><h1>StatsPage</h1></div>;
}
