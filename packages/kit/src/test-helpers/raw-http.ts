import { request } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One HTTP/1.1 request with full control over headers (including a missing or forged Host), over
 * TCP (`port`) or a unix socket (`socketPath`). Tests only.
 */
export function rawRequest(options: {
  port?: number;
  socketPath?: string;
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  /** false: send no Host header at all. */
  setHost?: boolean;
}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: options.socketPath === undefined ? '127.0.0.1' : undefined,
        port: options.port,
        socketPath: options.socketPath,
        path: options.path ?? '/',
        method: options.method ?? 'GET',
        headers: options.headers,
        setHost: options.setHost ?? true,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}
