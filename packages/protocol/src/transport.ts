/**
 * The injected transport the typed client runs over. `@flotilla/kit/transport` provides the
 * unix-socket and HTTP implementations; tests may pass `app.request`-backed ones.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface TransportRequest {
  method: HttpMethod;
  /** Path beginning with `/`, without the query string. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** Serialized as JSON when present. */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface TransportResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the response is `application/json`, otherwise the text. */
  body: unknown;
}

export interface TransportStream {
  status: number;
  headers: Record<string, string>;
  /** Raw UTF-8 text chunks as they arrive (SSE or plain text). Ends when the server closes. */
  chunks: AsyncIterable<string>;
  close(): void;
}

export interface Transport {
  request(req: TransportRequest): Promise<TransportResponse>;
  /** Opens a long-lived response (SSE, followed logs). */
  stream(req: TransportRequest): Promise<TransportStream>;
}
