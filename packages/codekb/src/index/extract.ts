import type Parser from 'tree-sitter';
import type { LanguageId } from './languages.js';
import { resolveDeclarations, type Definition, type DefinitionContext } from './definitions.js';

/** A declaration found in a file. `parent` indexes the enclosing symbol in the same list. */
export interface ExtractedSymbol extends Omit<Definition, 'nameStarts'> {
  parent: number | null;
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

interface Frame {
  depth: number;
  symbol: number;
}

/**
 * Walks a syntax tree once with a cursor, collecting declarations (with their enclosing symbol,
 * signature and doc comment) and identifier references (with their enclosing symbol).
 */
export function extract(tree: Parser.Tree, language: LanguageId): Extraction {
  const symbols: ExtractedSymbol[] = [];
  const refs: ExtractedRef[] = [];
  const nameStarts = new Set<number>();
  const seenRefs = new Set<string>();
  const stack: Frame[] = [];
  const declaredObjects = new Set<number>();
  /** Depths of the open declared object literals. */
  const objectDepths: number[] = [];
  const context: DefinitionContext = { language, parentKind: undefined, parentName: undefined, declaredObjects, inDeclaredObject: false };
  const cursor = tree.walk();
  let depth = 0;
  const enter = (): void => {
    const type = cursor.nodeType;
    if (IDENTIFIER_TYPES.has(type)) {
      if (nameStarts.has(cursor.startIndex)) return;
      const name = cursor.nodeText;
      const line = cursor.startPosition.row + 1;
      const key = `${name}\u0000${line}`;
      if (REF_STOPLIST.has(name) || seenRefs.has(key)) return;
      seenRefs.add(key);
      refs.push({ name, line, symbol: stack.at(-1)?.symbol ?? null });
      return;
    }
    const top = stack.at(-1);
    const parent = top === undefined ? undefined : symbols[top.symbol];
    // One context, updated in place: this runs for every node of the tree.
    context.parentKind = parent?.kind;
    context.parentName = parent?.name;
    context.inDeclaredObject = objectDepths.at(-1) === depth - 1;
    const found = resolveDeclarations(cursor, context);
    if (type === 'object' && declaredObjects.has(cursor.startIndex)) objectDepths.push(depth);
    if (found === undefined) return;
    const add = (definition: Definition): void => {
      for (const start of definition.nameStarts) nameStarts.add(start);
      symbols.push(toSymbol(definition, top?.symbol ?? null, parent?.name ?? null));
    };
    if (found.scope !== undefined) {
      add(found.scope);
      stack.push({ depth, symbol: symbols.length - 1 });
    }
    // Members sit beside the scope (a constructor's parameter properties belong to its class).
    for (const member of found.members) add(member);
  };
  const exit = (): void => {
    if (stack.at(-1)?.depth === depth) stack.pop();
    if (objectDepths.at(-1) === depth) objectDepths.pop();
  };
  for (;;) {
    enter();
    if (cursor.gotoFirstChild()) {
      depth++;
      continue;
    }
    exit();
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) return { symbols, refs };
      depth--;
      exit();
    }
  }
}

function toSymbol(found: Definition, parent: number | null, parentName: string | null): ExtractedSymbol {
  return {
    kind: found.kind,
    name: found.name,
    container: found.container ?? parentName,
    signature: found.signature,
    doc: found.doc,
    startLine: found.startLine,
    endLine: found.endLine,
    parent,
  };
}
