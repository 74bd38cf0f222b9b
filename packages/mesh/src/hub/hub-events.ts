/**
 * How hub components announce a change: they hand the event (without id, time or host) to
 * `publish`, and the hub's outbox gives it the next event id, the time and the hub's name, and
 * streams it on `/api/events`.
 */
export type HubEventInput = { type: string } & Record<string, unknown>;

export type PublishEvent = (event: HubEventInput) => Promise<void>;
