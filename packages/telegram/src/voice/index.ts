/** Voice messages: transcription through an OpenAI-compatible endpoint, confirmed before dispatch. */
export type { Transcriber } from './transcriber.js';
export { createTranscriber } from './transcriber.js';
export { voiceComposer } from './voice-composer.js';
