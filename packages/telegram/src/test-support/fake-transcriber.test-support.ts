// Tests only: a fake OpenAI-compatible transcription endpoint on 127.0.0.1 —
// `POST /v1/audio/transcriptions` with a multipart `file` and `model`, answering `{text}`, or
// OpenAI's error envelope (`{error:{message,type,code}}`) for a wrong key or a simulated failure.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, splitMultipart } from './bot-api-body.test-support.js';

export interface TranscriptionRequest {
  model: string | undefined;
  fileName: string | undefined;
  audio: Buffer;
  authorization: string | undefined;
}

export interface FakeTranscriber extends AsyncDisposable {
  /** The full endpoint URL, for `createTranscriber({ url })`. */
  url: string;
  requests: TranscriptionRequest[];
  /** The next `times` requests answer `status` with OpenAI's error envelope. */
  failNext(status: number, message: string, times?: number): void;
  close(): Promise<void>;
}

export interface FakeTranscriberOptions {
  /** When set, any other bearer key gets 401 `invalid_api_key`. */
  apiKey?: string;
  /** The transcript of an upload; by default the audio bytes read as UTF-8 (tests send words as "audio"). */
  transcribe?: (audio: Buffer, fileName: string | undefined) => string;
}

const PATH = '/v1/audio/transcriptions';

export async function startFakeTranscriber(options: FakeTranscriberOptions = {}): Promise<FakeTranscriber> {
  const requests: TranscriptionRequest[] = [];
  const failures: { status: number; message: string; left: number }[] = [];
  const transcribe = options.transcribe ?? ((audio: Buffer) => audio.toString('utf8'));
  const server = createServer((request, response) => {
    const answer = (status: number, body: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const error = (status: number, message: string, code: string): void => answer(status, { error: { message, type: 'invalid_request_error', param: null, code } });
    void (async () => {
      if (request.method !== 'POST' || new URL(request.url ?? '/', 'http://x').pathname !== PATH) return error(404, `Invalid URL (${request.method} ${request.url})`, 'unknown_url');
      const body = await readBody(request);
      const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(request.headers['content-type'] ?? '');
      const parts = boundary ? splitMultipart(body, boundary[1] ?? boundary[2]!) : [];
      const file = parts.find((part) => part.name === 'file');
      const model = parts.find((part) => part.name === 'model')?.bytes.toString('utf8');
      const authorization = request.headers.authorization;
      requests.push({ model, fileName: file?.fileName, audio: file?.bytes ?? Buffer.alloc(0), authorization });
      if (options.apiKey !== undefined && authorization !== `Bearer ${options.apiKey}`) {
        // OpenAI names the key it was given in this message: the client must not repeat it.
        return error(401, `Incorrect API key provided: ${authorization?.replace(/^Bearer /, '') ?? '(none)'}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_api_key');
      }
      const failure = failures.find((f) => f.left > 0);
      if (failure) {
        failure.left -= 1;
        return error(failure.status, failure.message, 'server_error');
      }
      if (!file) return error(400, "Missing required parameter: 'file'.", 'missing_required_parameter');
      if (!model) return error(400, "Missing required parameter: 'model'.", 'missing_required_parameter');
      answer(200, { text: transcribe(file.bytes, file.fileName) });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const fake: FakeTranscriber = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${PATH}`,
    requests,
    failNext: (status, message, times = 1) => void failures.push({ status, message, left: times }),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    [Symbol.asyncDispose]: () => fake.close(),
  };
  return fake;
}
