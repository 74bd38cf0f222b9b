// Being built in this session (issue 5); replaced by its feature.
export function KnowledgePage(_props: { params: Record<string, string> }) {
  return <div className="page"><h1>KnowledgePage</h1></div>;
}
