import type { Transport, TransportRequest, TransportResponse, TransportStream } from '@flotilla/protocol';

/**
 * The protocol's transport over the browser's `fetch`, same origin: the token rides in the
 * HttpOnly cookie `cb serve` set, so the page never sees it.
 */
export function createFetchTransport(base = ''): Transport {
  function url(req: TransportRequest): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(req.query ?? {})) if (value !== undefined) params.set(key, String(value));
    const search = params.toString();
    return `${base}${req.path}${search ? `?${search}` : ''}`;
  }
  function init(req: TransportRequest): RequestInit {
    const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    return {
      method: req.method,
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      credentials: 'same-origin',
      signal: req.signal,
    };
  }
  return {
    async request(req): Promise<TransportResponse> {
      const res = await fetch(url(req), init(req));
      const type = res.headers.get('content-type') ?? '';
      const body: unknown = type.includes('application/json') ? await res.json() : await res.text();
      return { status: res.status, headers: Object.fromEntries(res.headers.entries()), body };
    },
    async stream(req): Promise<TransportStream> {
      const controller = new AbortController();
      req.signal?.addEventListener('abort', () => controller.abort(), { once: true });
      const res = await fetch(url(req), { ...init(req), signal: controller.signal });
      const reader = res.body?.pipeThrough(new TextDecoderStream()).getReader();
      async function* chunks(): AsyncIterable<string> {
        if (!reader) return;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          yield value;
        }
      }
      return { status: res.status, headers: Object.fromEntries(res.headers.entries()), chunks: chunks(), close: () => controller.abort() };
    },
  };
}
