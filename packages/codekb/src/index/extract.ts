import type Parser from 'tree-sitter';
import type { LanguageId } from './languages.js';
import { NodeTable } from './node-table.js';
import { mayDeclare, resolveDeclarations, type Definition, type DefinitionContext } from './definitions.js';
import { SIGNATURE_STORED_BYTES } from '../store/signature.js';
import { Utf8Offsets } from './utf8-offsets.js';
import type { FoundDoc } from './describe.js';
import type { DocForm } from '../store/doc-text.js';

/** A declaration found in a file. `parent` indexes the enclosing symbol in the same list. */
export interface ExtractedSymbol extends Omit<Definition, 'nameStarts' | 'signatureStart' | 'signatureEnd' | 'doc'> {
  parent: number | null;
  /** Where its first line lies in the file's UTF-8 bytes, cut at `SIGNATURE_STORED_BYTES` (store/signature.ts). */
  signatureStart: number;
  signatureLength: number;
  /** Its doc (for the symbol FTS index), and where the doc's source lies in the file's UTF-8 bytes and in what form (store/doc-text.ts). */
  doc: StoredDoc | null;
}

/** A doc as a parsed file's record carries it. */
export interface StoredDoc {
  text: string;
  start: number;
  length: number;
  form: DocForm;
}

/** An identifier occurrence that is not a declaration's own name. */
export interface ExtractedRef {
  name: string;
  line: number;
  /** Index of the innermost enclosing symbol, or null at top level. */
  symbol: number | null;
}

export interface Extraction {
  symbols: ExtractedSymbol[];
  refs: ExtractedRef[];
}

const IDENTIFIER_TYPES = new Set([
  'identifier',
  'type_identifier',
  'property_identifier',
  'field_identifier',
  'shorthand_property_identifier',
  'shorthand_property_identifier_pattern',
  'package_identifier',
]);

/** Identifiers too common to be worth storing as references. */
const REF_STOPLIST = new Set(['self', 'this', 'cls']);

/**
 * Node types whose subtrees hold no identifier and no declaration: the walk does not enter them.
 * Python's strings are entered (an f-string's interpolations hold identifiers).
 */
const OPAQUE_TYPES: ReadonlySet<string> = new Set(['string', 'comment', 'regex', 'string_literal', 'raw_string_literal', 'interpreted_string_literal', 'line_comment', 'block_comment']);
const OPAQUE_PYTHON_TYPES: ReadonlySet<string> = new Set(['comment']);

/** What the walk needs of each node type, by numeric type id, per grammar, decided once per type. */
interface TypeInfo {
  name: string;
  role: Role;
}

const enum Role {
  /** A token: no children, nothing to record. */
  Leaf,
  Identifier,
  /** A string or comment: not entered. */
  Opaque,
  /** May declare something (resolveDeclarations looks at it). */
  Declares,
  Plain,
}

const typeInfos = new Map<LanguageId, TypeInfo[]>();

function typeReader(language: LanguageId, table: NodeTable): (row: number) => TypeInfo {
  let infos = typeInfos.get(language);
  if (infos === undefined) typeInfos.set(language, (infos = []));
  const known = infos;
  const opaque = language === 'python' ? OPAQUE_PYTHON_TYPES : OPAQUE_TYPES;
  return (row) => {
    const id = table.typeId(row);
    let info = known[id];
    if (info === undefined) {
      const name = table.type(row);
      const role = !table.isNamed(row) ? Role.Leaf : IDENTIFIER_TYPES.has(name) ? Role.Identifier : opaque.has(name) ? Role.Opaque : mayDeclare(name) ? Role.Declares : Role.Plain;
      known[id] = info = { name, role };
    }
    return info;
  };
}

interface Frame {
  depth: number;
  symbol: number;
}

/**
 * Walks a syntax tree once, in preorder over its node table (node-table.ts), collecting
 * declarations (with their enclosing symbol, signature and doc comment) and identifier references
 * (with their enclosing symbol). Subtrees that hold nothing to record (tokens, strings, comments,
 * identifiers) are skipped by their size; an identifier's text is sliced from the source and its
 * line counted from the source.
 */
export function extract(tree: Parser.Tree, language: LanguageId): Extraction {
  const symbols: ExtractedSymbol[] = [];
  const refs: ExtractedRef[] = [];
  const nameStarts = new Set<number>();
  /** Each referenced name's last line: the walk meets identifiers in source order, so a name seen on its line again is a duplicate. */
  const lastLine = new Map<string, number>();
  const stack: Frame[] = [];
  const declaredObjects = new Set<number>();
  /** Depths of the open declared object literals. */
  const objectDepths: number[] = [];
  // The binding keeps the string a tree was parsed from (not in its typings): names are sliced from it.
  const source = (tree as { input?: unknown }).input;
  if (typeof source !== 'string') throw new Error('extract needs a tree parsed from a string');
  const table = new NodeTable(tree, source);
  // Every field the walk sets is in the literal: one object shape for the whole walk.
  const context: DefinitionContext = { language, tree: table, parentKind: undefined, parentName: undefined, declaredObjects, inDeclaredObject: false, parentType: undefined };
  const infoOf = typeReader(language, table);
  const lines = new LineCounter(source);
  const bytes = new Utf8Offsets(source);
  let depth = 0;
  /** The type of the node entered at each depth: the current node's ancestors are below `depth`. */
  const typesByDepth: string[] = [];
  /** Looks at a node; false when its subtree is not to be entered. */
  const enter = (row: number): boolean => {
    const { name: type, role } = infoOf(row);
    if (role === Role.Leaf || role === Role.Opaque) return false;
    if (role === Role.Identifier) {
      const start = table.start(row);
      if (nameStarts.has(start)) return false;
      const name = source.substring(start, table.end(row));
      const line = lines.lineAt(start);
      if (lastLine.get(name) === line || REF_STOPLIST.has(name)) return false;
      lastLine.set(name, line);
      refs.push({ name, line, symbol: stack.at(-1)?.symbol ?? null });
      return false;
    }
    typesByDepth[depth] = type;
    if (role === Role.Plain) return true;
    const top = stack.at(-1);
    const parent = top === undefined ? undefined : symbols[top.symbol];
    // One context, updated in place: this runs for every declaring node of the tree.
    context.parentKind = parent?.kind;
    context.parentName = parent?.name;
    context.inDeclaredObject = objectDepths.at(-1) === depth - 1;
    context.parentType = depth === 0 ? undefined : typesByDepth[depth - 1];
    const found = resolveDeclarations(row, type, context);
    if (type === 'object' && declaredObjects.has(table.start(row))) objectDepths.push(depth);
    if (found === undefined) return true;
    const add = (definition: Definition): void => {
      for (const start of definition.nameStarts) nameStarts.add(start);
      symbols.push(toSymbol(definition, top?.symbol ?? null, parent?.name ?? null, bytes));
    };
    if (found.scope !== undefined) {
      add(found.scope);
      stack.push({ depth, symbol: symbols.length - 1 });
    }
    // Members sit beside the scope (a constructor's parameter properties belong to its class).
    for (const member of found.members) add(member);
    return true;
  };
  const exit = (): void => {
    if (stack.at(-1)?.depth === depth) stack.pop();
    if (objectDepths.at(-1) === depth) objectDepths.pop();
  };
  /** The row after each entered node's subtree, innermost last: its length is the current depth. */
  const ends: number[] = [];
  for (let row = 0; row < table.count; ) {
    while (ends.length > 0 && ends.at(-1)! <= row) {
      ends.pop();
      depth = ends.length;
      exit();
    }
    depth = ends.length;
    const size = table.size(row);
    if (enter(row) && size > 1) {
      ends.push(row + size);
      row++;
      continue;
    }
    exit();
    row += size;
  }
  while (ends.length > 0) {
    ends.pop();
    depth = ends.length;
    exit();
  }
  return { symbols, refs };
}

/**
 * 1-based line of an offset (UTF-16 units, as the binding's indexes into a string source),
 * for offsets asked in ascending order (as a pre-order walk meets nodes), any order allowed.
 */
class LineCounter {
  readonly #source: string;
  /** Offset of the start of line `#line`, and of the next line (or Infinity). */
  #start = 0;
  #next: number;
  #line = 1;

  constructor(source: string) {
    this.#source = source;
    this.#next = this.#after(0);
  }

  lineAt(offset: number): number {
    if (offset < this.#start) {
      this.#start = 0;
      this.#line = 1;
      this.#next = this.#after(0);
    }
    while (offset >= this.#next) {
      this.#start = this.#next;
      this.#next = this.#after(this.#start);
      this.#line++;
    }
    return this.#line;
  }

  #after(from: number): number {
    const newline = this.#source.indexOf('\n', from);
    return newline === -1 ? Infinity : newline + 1;
  }
}

function toSymbol(found: Definition, parent: number | null, parentName: string | null, bytes: Utf8Offsets): ExtractedSymbol {
  const signature = bytes.byteRange(found.signatureStart, found.signatureEnd);
  return {
    kind: found.kind,
    name: found.name,
    container: found.container ?? parentName,
    signatureStart: signature.start,
    signatureLength: Math.min(signature.length, SIGNATURE_STORED_BYTES),
    doc: found.doc === null ? null : storedDoc(found.doc, bytes),
    startLine: found.startLine,
    endLine: found.endLine,
    parent,
  };
}

/** A found doc as a record carries it: its source's place in the file's UTF-8 bytes. */
export function storedDoc(doc: FoundDoc, bytes: Utf8Offsets): StoredDoc {
  return { text: doc.text, form: doc.form, ...bytes.byteRange(doc.start, doc.end) };
}
