import type { Transport, TransportRequest } from './transport.js';

/** A transport that answers each request with `answer` and streams `sse` chunks; it records what it saw. */
export function transportAnswering(answer: (req: TransportRequest) => { status: number; body: unknown }, sse: string[] = []): Transport & { seen: TransportRequest[] } {
  const seen: TransportRequest[] = [];
  return {
    seen,
    async request(req) {
      seen.push(req);
      const { status, body } = answer(req);
      return { status, headers: {}, body };
    },
    async stream(req) {
      seen.push(req);
      return {
        status: 200,
        headers: {},
        chunks: (async function* () {
          yield* sse;
        })(),
        close() {},
      };
    },
  };
}
