import { afterEach, describe, expect, it } from 'vitest';
import { startFakeTranscriber, type FakeTranscriber } from '../test-support/fake-transcriber.test-support.js';
import { createTranscriber } from './transcriber.js';

const KEY = 'sk-transcribe-secret-0123456789';
const fakes: FakeTranscriber[] = [];
afterEach(async () => {
  for (const fake of fakes.splice(0)) await fake.close();
});

async function fake(options: Parameters<typeof startFakeTranscriber>[0] = {}): Promise<FakeTranscriber> {
  const started = await startFakeTranscriber(options);
  fakes.push(started);
  return started;
}

describe('createTranscriber', () => {
  it('should POST the audio as a multipart file with the model whisper-1 and the key as a bearer token, and return the text', async () => {
    const endpoint = await fake({ apiKey: KEY });
    const transcriber = createTranscriber({ url: endpoint.url, apiKey: KEY });
    expect(await transcriber.transcribe(Buffer.from('  fix the flaky auth test  '), 'file_0.oga')).toBe('fix the flaky auth test');
    expect(endpoint.requests).toEqual([{ model: 'whisper-1', fileName: 'file_0.oga', audio: Buffer.from('  fix the flaky auth test  '), authorization: `Bearer ${KEY}` }]);
  });

  it('should send no Authorization header without a key, and the model it is given', async () => {
    const endpoint = await fake();
    await createTranscriber({ url: endpoint.url, model: 'whisper-large-v3' }).transcribe(Buffer.from('hi'), 'a.ogg');
    expect(endpoint.requests[0]).toMatchObject({ model: 'whisper-large-v3', authorization: undefined });
  });

  it('should say in words what went wrong, without ever repeating the key', async () => {
    const endpoint = await fake({ apiKey: 'sk-the-right-key-000000000000' });
    const error = await createTranscriber({ url: endpoint.url, apiKey: KEY }).transcribe(Buffer.from('x'), 'a.ogg').catch((e: unknown) => e as Error);
    expect((error as Error).message).toMatch(/^the transcription endpoint http:\/\/127\.0\.0\.1:\d+\/v1\/audio\/transcriptions answered 401 Unauthorized: Incorrect API key provided: \[redacted\]\. .* \(check TELEGRAM_TRANSCRIBE_KEY\)$/);
    expect((error as Error).message).not.toContain(KEY);
    expect(error).toMatchObject({ code: 'TRANSCRIPTION_FAILED' });
  });

  it('should report a server error, an unreachable endpoint and a non-URL in words', async () => {
    const endpoint = await fake();
    endpoint.failNext(503, 'The server is overloaded');
    await expect(createTranscriber({ url: endpoint.url }).transcribe(Buffer.from('x'), 'a.ogg')).rejects.toThrow(/answered 503 Service Unavailable: The server is overloaded$/);
    const url = endpoint.url;
    await endpoint.close();
    fakes.length = 0;
    await expect(createTranscriber({ url, apiKey: KEY }).transcribe(Buffer.from('x'), 'a.ogg')).rejects.toThrow(/^could not reach the transcription endpoint http:\/\/127\.0\.0\.1:\d+\/v1\/audio\/transcriptions: ECONNREFUSED$/);
    expect(() => createTranscriber({ url: 'not a url' })).toThrow(/TELEGRAM_TRANSCRIBE_URL/);
  });

  it('should never show a key or password carried in the URL itself', async () => {
    const endpoint = await fake();
    endpoint.failNext(500, 'boom');
    const url = endpoint.url.replace('http://', 'http://user:hunter2@') + '?api-key=hunter3';
    const error = (await createTranscriber({ url }).transcribe(Buffer.from('x'), 'a.ogg').catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('answered 500');
    expect(error.message).not.toMatch(/hunter/);
    expect(endpoint.requests[0]?.authorization).toBe(`Basic ${Buffer.from('user:hunter2').toString('base64')}`);
  });
});
