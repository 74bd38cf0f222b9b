// Being built in this session (issue 5); replaced by its feature.
export function SecurityPage(_props: { params: Record<string, string> }) {
  return <div className="page"><h1>SecurityPage</h1></div>;
}
