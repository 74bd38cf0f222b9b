// Tests only: the Bot API's wire shapes the fake answers with (User, Chat, Message, File) and
// zod schemas for the parameters it accepts — parameters arrive as JSON values or as strings
// (query, form, multipart), so numbers are coerced and objects may come JSON-encoded.
// https://core.telegram.org/bots/api#available-types
import { z } from 'zod';
import type { MessageEntity } from './bot-api-markup.test-support.js';

/** `{ok:false, error_code, description, parameters?}` — thrown by a method, answered by the server. */
export class ApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number; migrate_to_chat_id?: number },
  ) {
    super(description);
  }
}

export function badRequest(detail: string): ApiError {
  return new ApiError(400, `Bad Request: ${detail}`);
}

export interface User {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export interface Chat {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  first_name?: string;
  last_name?: string;
  username?: string;
  title?: string;
}

export interface InlineKeyboardButton {
  text: string;
  callback_data?: string;
  url?: string;
}

export interface FileInfo {
  file_id: string;
  file_unique_id: string;
  file_size: number;
}

export interface Message {
  message_id: number;
  from?: User;
  chat: Chat;
  date: number;
  edit_date?: number;
  text?: string;
  entities?: MessageEntity[];
  caption?: string;
  caption_entities?: MessageEntity[];
  reply_markup?: { inline_keyboard: InlineKeyboardButton[][] };
  reply_to_message?: Message;
  voice?: FileInfo & { duration: number; mime_type: string };
  audio?: FileInfo & { duration: number; mime_type: string; file_name?: string };
  document?: FileInfo & { file_name: string; mime_type: string };
}

/** A JSON-encoded object (how multipart and form bodies carry `reply_markup` and friends). */
function jsonField<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }, schema);
}

const chatId = z.union([z.number().int(), z.string().min(1)]).transform((value) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value));
const int = z.coerce.number().int();
const bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);

const ButtonSchema = z.object({ text: z.string(), callback_data: z.string().optional(), url: z.string().optional() }).loose();
const ReplyMarkupSchema = jsonField(z.object({ inline_keyboard: z.array(z.array(ButtonSchema)).optional() }).loose());
const ReplyParametersSchema = jsonField(z.object({ message_id: int, chat_id: chatId.optional(), allow_sending_without_reply: bool.optional() }).loose());
const EntitiesSchema = jsonField(z.array(z.object({ type: z.string(), offset: int, length: int }).loose()));

export const SendMessageParams = z.object({
  chat_id: chatId,
  text: z.string(),
  parse_mode: z.string().optional(),
  entities: EntitiesSchema.optional(),
  reply_markup: ReplyMarkupSchema.optional(),
  reply_parameters: ReplyParametersSchema.optional(),
  reply_to_message_id: int.optional(),
  allow_sending_without_reply: bool.optional(),
});

export const EditTextParams = z.object({
  chat_id: chatId.optional(),
  message_id: int.optional(),
  inline_message_id: z.string().optional(),
  text: z.string(),
  parse_mode: z.string().optional(),
  entities: EntitiesSchema.optional(),
  reply_markup: ReplyMarkupSchema.optional(),
});

export const EditMarkupParams = z.object({
  chat_id: chatId.optional(),
  message_id: int.optional(),
  inline_message_id: z.string().optional(),
  reply_markup: ReplyMarkupSchema.optional(),
});

export const AnswerCallbackParams = z.object({
  callback_query_id: z.string().min(1),
  text: z.string().optional(),
  show_alert: bool.optional(),
  url: z.string().optional(),
});

export const SendDocumentParams = z.object({
  chat_id: chatId,
  document: z.string().optional(),
  caption: z.string().optional(),
  parse_mode: z.string().optional(),
  reply_markup: ReplyMarkupSchema.optional(),
  reply_parameters: ReplyParametersSchema.optional(),
  reply_to_message_id: int.optional(),
});

export const GetUpdatesParams = z.object({
  offset: int.optional(),
  limit: int.optional(),
  timeout: int.optional(),
  allowed_updates: jsonField(z.array(z.string())).optional(),
});

export const SetWebhookParams = z.object({
  url: z.string(),
  secret_token: z.string().optional(),
  allowed_updates: jsonField(z.array(z.string())).optional(),
  drop_pending_updates: bool.optional(),
});

export const DeleteWebhookParams = z.object({ drop_pending_updates: bool.optional() });
export const GetFileParams = z.object({ file_id: z.string().min(1) });
export const DeleteMessageParams = z.object({ chat_id: chatId, message_id: int });

export const SetMyCommandsParams = z.object({
  commands: jsonField(z.array(z.object({ command: z.string(), description: z.string() }))),
  scope: jsonField(z.object({ type: z.string() }).loose()).optional(),
  language_code: z.string().optional(),
});

export const CHAT_ACTIONS = ['typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice', 'upload_voice', 'upload_document', 'choose_sticker', 'find_location', 'record_video_note', 'upload_video_note'] as const;
export const SendChatActionParams = z.object({ chat_id: chatId, action: z.string() });

/** Telegram's words for a parameter problem: "chat_id is empty", "invalid message_id"… */
export function parseParams<T extends z.ZodType>(schema: T, fields: Record<string, unknown>): z.infer<T> {
  const parsed = schema.safeParse(fields);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = String(issue.path[0] ?? 'parameter');
  if (fields[field] === undefined || fields[field] === '') throw badRequest(field === 'text' ? 'message text is empty' : `${field} is empty`);
  throw badRequest(field === 'reply_markup' ? "can't parse reply keyboard markup JSON object" : `invalid ${field} specified`);
}
