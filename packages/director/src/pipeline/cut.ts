/** `text` within `max` characters: cut with an ellipsis, so a long message never makes a report the hub refuses. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
