import { createRequire } from 'node:module';
import { extname } from 'node:path';
import type Parser from 'tree-sitter';

const require = createRequire(import.meta.url);

/** The languages parsed for symbols; every other text file is indexed for text search only. */
export type LanguageId = 'typescript' | 'tsx' | 'javascript' | 'python' | 'go' | 'rust';

const EXTENSIONS: Readonly<Record<string, LanguageId>> = {
  '.ts': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.tsx': 'tsx',
  '.js': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.jsx': 'javascript',
  '.py': 'python',
  '.pyi': 'python',
  '.go': 'go',
  '.rs': 'rust',
};

/** The language of a path by its extension, or undefined for text-only files. */
export function languageOf(path: string): LanguageId | undefined {
  return EXTENSIONS[extname(path).toLowerCase()];
}

function loadGrammar(id: LanguageId): Parser.Language {
  switch (id) {
    case 'typescript':
      return (require('tree-sitter-typescript') as { typescript: Parser.Language }).typescript;
    case 'tsx':
      return (require('tree-sitter-typescript') as { tsx: Parser.Language }).tsx;
    case 'javascript':
      return require('tree-sitter-javascript') as Parser.Language;
    case 'python':
      return require('tree-sitter-python') as Parser.Language;
    case 'go':
      return require('tree-sitter-go') as Parser.Language;
    case 'rust':
      return require('tree-sitter-rust') as Parser.Language;
  }
}

/**
 * How long one file's parse may take. tree-sitter parses a 1 MB file in well under a second, but
 * its error recovery can take far longer on pathological input; one such file must not hold up
 * (or hang) an index: past this it is indexed as text, with the reason as its note.
 */
export const PARSE_TIMEOUT_MS = 10_000;

/**
 * One tree-sitter Parser per language, created on first use and reused: parsers hold native
 * memory, so making one per file grows RSS for nothing.
 */
export class ParserPool {
  readonly #parsers = new Map<LanguageId, Parser>();
  readonly #timeoutMs: number;

  constructor(options: { timeoutMs?: number } = {}) {
    this.#timeoutMs = options.timeoutMs ?? PARSE_TIMEOUT_MS;
  }

  /** The file's tree; throws when the parse takes longer than the pool's timeout. */
  parse(language: LanguageId, text: string): Parser.Tree {
    let parser = this.#parsers.get(language);
    if (parser === undefined) {
      // Loaded on first use: a full index parses in worker threads, and its writing thread never
      // needs the binding (~0.1 s of start-up before the workers are even started).
      const ParserClass = require('tree-sitter') as typeof Parser;
      parser = new ParserClass();
      parser.setLanguage(loadGrammar(language));
      // Checked natively every 100 parse operations (a clock read).
      parser.setTimeoutMicros(Math.round(this.#timeoutMs * 1000));
      this.#parsers.set(language, parser);
    }
    // The default 32 KiB input buffer makes large files fail; size it to the text.
    const tree = parser.parse(text, undefined, { bufferSize: Math.max(32 * 1024, text.length * 2 + 1024) }) as Parser.Tree | null;
    if (tree === null) {
      // A parse stopped by the timeout resumes on the next call unless the parser is reset.
      parser.reset();
      throw new Error(`tree-sitter gave up after ${formatSeconds(this.#timeoutMs)} (parse timeout)`);
    }
    return tree;
  }
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`;
}
