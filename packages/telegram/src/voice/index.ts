/**
 * Voice messages (placeholder until the voice feature lands): the contract the bot builds on. A
 * voice or audio message is answered with the fact that voice is not configured.
 */
import { Composer, type Context } from 'grammy';

/** Turns recorded audio into text (an OpenAI-compatible transcription endpoint). */
export interface Transcriber {
  transcribe(audio: Buffer, fileName: string): Promise<string>;
}

/** The voice feature: transcribe, confirm, then `dispatch` the text as if it had been typed. */
export function voiceComposer(deps: { transcriber: Transcriber | null; dispatch(ctx: Context, text: string): Promise<void> }): Composer<Context> {
  const composer = new Composer<Context>();
  void deps;
  composer.on(['message:voice', 'message:audio'], async (ctx) => {
    await ctx.reply('voice is not configured: set TELEGRAM_TRANSCRIBE_URL (an OpenAI-compatible transcription endpoint) and restart the bot');
  });
  return composer;
}
