// Tests only: the fake Bot API's methods over its state (chats, messages, files, callback queries),
// answering like Telegram: results shaped as in the docs, errors with Telegram's own descriptions.
import { randomBytes } from 'node:crypto';
import { formatText, type MessageEntity } from './bot-api-markup.test-support.js';
import type { RequestParams } from './bot-api-body.test-support.js';
import type { UpdateQueue } from './bot-api-updates.test-support.js';
import {
  AnswerCallbackParams, ApiError, badRequest, CHAT_ACTIONS, DeleteMessageParams, DeleteWebhookParams, EditMarkupParams, EditTextParams,
  GetFileParams, GetUpdatesParams, parseParams, SendChatActionParams, SendDocumentParams, SendMessageParams, SetMyCommandsParams, SetWebhookParams,
  type Chat, type InlineKeyboardButton, type Message, type User,
} from './bot-api-wire.test-support.js';

/** Telegram's limits: 4096 characters of text, 1024 of caption, 1–64 bytes of callback data. */
const MAX_TEXT = 4096;
const MAX_CAPTION = 1024;
const MAX_CALLBACK_DATA_BYTES = 64;
const SECRET_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;
const COMMAND_NAME = /^[a-z0-9_]{1,32}$/;

export interface StoredFile {
  fileId: string;
  uniqueId: string;
  path: string;
  bytes: Buffer;
  fileName?: string;
  mimeType: string;
}

/** One outgoing change the bot made: a message sent, edited, or a document sent. */
export interface SentEntry {
  seq: number;
  /** `Date.now()` when the fake took the call. */
  at: number;
  method: 'sendMessage' | 'editMessageText' | 'editMessageReplyMarkup' | 'sendDocument';
  chatId: number;
  messageId: number;
  /** The message's text (or caption) as the user sees it, after parse_mode. */
  text: string;
  parseMode: string | undefined;
  /** The inline buttons, row by row flattened. */
  buttons: InlineKeyboardButton[];
  /** The message as it was right after this change. */
  message: Message;
  document?: StoredFile;
}

export interface CallbackAnswer {
  callbackQueryId: string;
  text: string | undefined;
  showAlert: boolean;
}

interface ChatState {
  chat: Chat;
  nextMessageId: number;
  messages: Map<number, Message>;
}

export const now = (): number => Math.floor(Date.now() / 1000);

function randomId(prefix: string): string {
  return `${prefix}${randomBytes(18).toString('base64url')}`;
}

function checkKeyboard(markup: { inline_keyboard?: InlineKeyboardButton[][] } | undefined): Message['reply_markup'] {
  if (!markup?.inline_keyboard) return undefined;
  for (const button of markup.inline_keyboard.flat()) {
    if (button.callback_data !== undefined && (button.callback_data.length === 0 || Buffer.byteLength(button.callback_data) > MAX_CALLBACK_DATA_BYTES)) throw badRequest('BUTTON_DATA_INVALID');
    if (button.text === '') throw badRequest('text buttons are unallowed in the inline keyboard');
  }
  return { inline_keyboard: markup.inline_keyboard.map((row) => row.map((button) => ({ ...button }))) };
}

function formatted(text: string, parseMode: string | undefined, entities: MessageEntity[] | undefined, max: number): { text: string; entities: MessageEntity[] } {
  const result = formatText(text, parseMode);
  if (!result.ok) throw new ApiError(400, result.description);
  if (result.text.trim() === '') throw badRequest('message text is empty');
  if (result.text.length > max) throw badRequest(max === MAX_TEXT ? 'message is too long' : 'message caption is too long');
  return { text: result.text, entities: parseMode ? result.entities : (entities ?? []) };
}

export class FakeBotState {
  readonly chats = new Map<number, ChatState>();
  readonly files = new Map<string, StoredFile>();
  readonly callbacks = new Map<string, { answered: boolean }>();
  readonly sent: SentEntry[] = [];
  readonly answers: CallbackAnswer[] = [];
  readonly chatActions: { chatId: number; action: string }[] = [];
  commands: { command: string; description: string }[] = [];
  private seq = 0;
  private fileCount = 0;

  constructor(
    readonly botUser: User,
    private readonly updates: UpdateQueue,
  ) {}

  chatOf(user: User, chat?: Chat): ChatState {
    const id = chat?.id ?? user.id;
    let state = this.chats.get(id);
    if (!state) {
      const privateChat: Chat = { id, type: 'private', first_name: user.first_name, ...(user.last_name ? { last_name: user.last_name } : {}), ...(user.username ? { username: user.username } : {}) };
      state = { chat: chat ?? privateChat, nextMessageId: 1, messages: new Map() };
      this.chats.set(id, state);
    }
    return state;
  }

  /** Stores a message under the chat's next id (user and bot share one sequence per chat, like Telegram). */
  addMessage(state: ChatState, message: Omit<Message, 'message_id' | 'chat' | 'date'>): Message {
    const full: Message = { message_id: state.nextMessageId++, chat: state.chat, date: now(), ...message };
    state.messages.set(full.message_id, full);
    return full;
  }

  storeFile(bytes: Buffer, kind: string, extension: string, meta: { fileName?: string; mimeType: string }): StoredFile {
    const file: StoredFile = { fileId: randomId('fake-'), uniqueId: randomId('u').slice(0, 16), path: `${kind}/file_${this.fileCount++}.${extension}`, bytes, ...meta };
    this.files.set(file.fileId, file);
    return file;
  }

  private knownChat(chatId: number | string): ChatState {
    const state = typeof chatId === 'number' ? this.chats.get(chatId) : undefined;
    if (!state) throw badRequest('chat not found');
    return state;
  }

  private repliedTo(state: ChatState, params: { reply_parameters?: { message_id: number; allow_sending_without_reply?: boolean }; reply_to_message_id?: number; allow_sending_without_reply?: boolean }): Message | undefined {
    const id = params.reply_parameters?.message_id ?? params.reply_to_message_id;
    if (id === undefined) return undefined;
    const target = state.messages.get(id);
    if (!target && !(params.reply_parameters?.allow_sending_without_reply ?? params.allow_sending_without_reply)) throw badRequest('message to be replied not found');
    if (!target) return undefined;
    const { reply_to_message: _nested, ...flat } = target;
    return flat;
  }

  private record(method: SentEntry['method'], message: Message, parseMode: string | undefined, document?: StoredFile): void {
    const snapshot = structuredClone(message);
    const entry: SentEntry = {
      seq: ++this.seq, at: Date.now(), method, chatId: message.chat.id, messageId: message.message_id, text: message.text ?? message.caption ?? '', parseMode,
      buttons: message.reply_markup?.inline_keyboard.flat() ?? [], message: snapshot, ...(document ? { document } : {}),
    };
    this.sent.push(entry);
  }

  sendMessage(fields: Record<string, unknown>): Message {
    const params = parseParams(SendMessageParams, fields);
    const state = this.knownChat(params.chat_id);
    const body = formatted(params.text, params.parse_mode, params.entities as MessageEntity[] | undefined, MAX_TEXT);
    const replyMarkup = checkKeyboard(params.reply_markup as never);
    const replyTo = this.repliedTo(state, params);
    const message = this.addMessage(state, {
      from: this.botUser, text: body.text, ...(body.entities.length ? { entities: body.entities } : {}),
      ...(replyMarkup ? { reply_markup: replyMarkup } : {}), ...(replyTo ? { reply_to_message: replyTo } : {}),
    });
    this.record('sendMessage', message, params.parse_mode);
    return message;
  }

  private editable(params: { chat_id?: number | string; message_id?: number; inline_message_id?: string }): Message {
    if (params.inline_message_id !== undefined) throw badRequest('MESSAGE_ID_INVALID');
    if (params.chat_id === undefined) throw badRequest('chat_id is empty');
    if (params.message_id === undefined) throw badRequest('message identifier is not specified');
    const message = this.knownChat(params.chat_id).messages.get(params.message_id);
    if (!message) throw badRequest('message to edit not found');
    if (message.from?.id !== this.botUser.id) throw badRequest("message can't be edited");
    return message;
  }

  editMessageText(fields: Record<string, unknown>): Message {
    const params = parseParams(EditTextParams, fields);
    const message = this.editable(params);
    const body = formatted(params.text, params.parse_mode, params.entities as MessageEntity[] | undefined, MAX_TEXT);
    const replyMarkup = checkKeyboard(params.reply_markup as never);
    if (message.text === body.text && JSON.stringify(message.entities ?? []) === JSON.stringify(body.entities) && JSON.stringify(message.reply_markup) === JSON.stringify(replyMarkup)) {
      throw badRequest('message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
    }
    message.text = body.text;
    if (body.entities.length) message.entities = body.entities;
    else delete message.entities;
    if (replyMarkup) message.reply_markup = replyMarkup;
    else delete message.reply_markup;
    message.edit_date = now();
    this.record('editMessageText', message, params.parse_mode);
    return message;
  }

  editMessageReplyMarkup(fields: Record<string, unknown>): Message {
    const params = parseParams(EditMarkupParams, fields);
    const message = this.editable(params);
    const replyMarkup = checkKeyboard(params.reply_markup as never);
    if (JSON.stringify(message.reply_markup) === JSON.stringify(replyMarkup)) {
      throw badRequest('message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
    }
    if (replyMarkup) message.reply_markup = replyMarkup;
    else delete message.reply_markup;
    message.edit_date = now();
    this.record('editMessageReplyMarkup', message, undefined);
    return message;
  }

  answerCallbackQuery(fields: Record<string, unknown>): true {
    const params = parseParams(AnswerCallbackParams, fields);
    const query = this.callbacks.get(params.callback_query_id);
    if (!query || query.answered) throw badRequest('query is too old and response timeout expired or query ID is invalid');
    query.answered = true;
    this.answers.push({ callbackQueryId: params.callback_query_id, text: params.text, showAlert: params.show_alert ?? false });
    return true;
  }

  sendDocument(params: RequestParams): Message {
    const fields = parseParams(SendDocumentParams, params.fields);
    const state = this.knownChat(fields.chat_id);
    const document = this.documentOf(fields.document, params);
    const caption = fields.caption === undefined ? undefined : formatted(fields.caption, fields.parse_mode, undefined, MAX_CAPTION);
    const replyMarkup = checkKeyboard(fields.reply_markup as never);
    const replyTo = this.repliedTo(state, fields);
    const message = this.addMessage(state, {
      from: this.botUser,
      document: { file_id: document.fileId, file_unique_id: document.uniqueId, file_size: document.bytes.length, file_name: document.fileName ?? 'document', mime_type: document.mimeType },
      ...(caption ? { caption: caption.text, ...(caption.entities.length ? { caption_entities: caption.entities } : {}) } : {}),
      ...(replyMarkup ? { reply_markup: replyMarkup } : {}), ...(replyTo ? { reply_to_message: replyTo } : {}),
    });
    this.record('sendDocument', message, fields.parse_mode, document);
    return message;
  }

  /** The `document` parameter: an uploaded part (by field name or `attach://name`) or an existing file_id. */
  private documentOf(value: string | undefined, params: RequestParams): StoredFile {
    const attached = value?.startsWith('attach://') ? value.slice('attach://'.length) : undefined;
    const upload = params.files.find((file) => file.field === (attached ?? 'document'));
    if (upload) {
      if (upload.bytes.length === 0) throw badRequest('file must be non-empty');
      const extension = /\.([A-Za-z0-9]+)$/.exec(upload.fileName)?.[1] ?? 'dat';
      return this.storeFile(upload.bytes, 'documents', extension, { fileName: upload.fileName, mimeType: upload.contentType });
    }
    if (value === undefined || value === '') throw badRequest('there is no document in the request');
    const existing = this.files.get(value);
    if (!existing) throw badRequest('wrong file identifier/HTTP URL specified');
    return existing;
  }

  getFile(fields: Record<string, unknown>): { file_id: string; file_unique_id: string; file_size: number; file_path: string } {
    const params = parseParams(GetFileParams, fields);
    const file = this.files.get(params.file_id);
    if (!file) throw badRequest('invalid file_id');
    return { file_id: file.fileId, file_unique_id: file.uniqueId, file_size: file.bytes.length, file_path: file.path };
  }

  deleteMessage(fields: Record<string, unknown>): true {
    const params = parseParams(DeleteMessageParams, fields);
    if (!this.knownChat(params.chat_id).messages.delete(params.message_id)) throw badRequest('message to delete not found');
    return true;
  }

  setMyCommands(fields: Record<string, unknown>): true {
    const params = parseParams(SetMyCommandsParams, fields);
    for (const command of params.commands) {
      if (!COMMAND_NAME.test(command.command)) throw badRequest('BOT_COMMAND_INVALID');
      if (command.description.length < 1 || command.description.length > 256) throw badRequest('command description must be non-empty');
    }
    this.commands = params.commands;
    return true;
  }

  sendChatAction(fields: Record<string, unknown>): true {
    const params = parseParams(SendChatActionParams, fields);
    const state = this.knownChat(params.chat_id);
    if (!(CHAT_ACTIONS as readonly string[]).includes(params.action)) throw badRequest('wrong parameter action in request');
    this.chatActions.push({ chatId: state.chat.id, action: params.action });
    return true;
  }

  setWebhook(fields: Record<string, unknown>): true {
    const params = parseParams(SetWebhookParams, fields);
    if (params.url === '') {
      this.updates.deleteWebhook(params.drop_pending_updates ?? false);
      return true;
    }
    if (params.secret_token !== undefined && !SECRET_TOKEN.test(params.secret_token)) throw badRequest('secret token contains unallowed characters');
    // Telegram wants HTTPS on 443/80/88/8443; the fake also takes plain HTTP, because the bot listens on loopback.
    if (!/^https?:\/\//.test(params.url)) throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
    this.updates.setAllowedUpdates(params.allowed_updates);
    this.updates.setWebhook({ url: params.url, secretToken: params.secret_token }, params.drop_pending_updates ?? false);
    return true;
  }

  deleteWebhook(fields: Record<string, unknown>): true {
    this.updates.deleteWebhook(parseParams(DeleteWebhookParams, fields).drop_pending_updates ?? false);
    return true;
  }

  getWebhookInfo(): Record<string, unknown> {
    const webhook = this.updates.webhookSettings;
    const lastError = this.updates.deliveries.findLast((delivery) => delivery.error !== null);
    return {
      url: webhook?.url ?? '', has_custom_certificate: false, pending_update_count: this.updates.pendingCount,
      ...(lastError ? { last_error_date: Math.floor(lastError.at / 1000), last_error_message: lastError.error } : {}),
    };
  }

  getUpdates(fields: Record<string, unknown>, onAbandoned: (cancel: () => void) => void): Promise<unknown> {
    const params = parseParams(GetUpdatesParams, fields);
    return this.updates.getUpdates({ offset: params.offset, limit: params.limit, timeout: params.timeout, allowedUpdates: params.allowed_updates }, onAbandoned);
  }
}
