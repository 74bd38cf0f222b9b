// Being built in this session (issue 5); replaced by its feature.
export function InboxPage(_props: { params: Record<string, string> }) {
  return <div className="page"><h1>InboxPage</h1></div>;
}
