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
 * One tree-sitter Parser per language, created on first use and reused: parsers hold native
 * memory, so making one per file grows RSS for nothing.
 */
export class ParserPool {
  readonly #parsers = new Map<LanguageId, Parser>();

  parse(language: LanguageId, text: string): Parser.Tree {
    let parser = this.#parsers.get(language);
    if (parser === undefined) {
      // Loaded on first use: a full index parses in worker threads, and its writing thread never
      // needs the binding (~0.1 s of start-up before the workers are even started).
      const ParserClass = require('tree-sitter') as typeof Parser;
      parser = new ParserClass();
      parser.setLanguage(loadGrammar(language));
      this.#parsers.set(language, parser);
    }
    // The default 32 KiB input buffer makes large files fail; size it to the text.
    return parser.parse(text, undefined, { bufferSize: Math.max(32 * 1024, text.length * 2 + 1024) });
  }
}
