import type Parser from 'tree-sitter';

/**
 * The syntax nodes the declaration rules (definitions.ts, members.ts, describe.ts) look at, read
 * through a tree cursor instead of the binding's node objects. A node object costs a marshal, a
 * native call, an unmarshal with a BigInt id, and a weak reference with a finalizer the binding
 * registers for it (its node cache), collected later: for about twenty of them per symbol that
 * was the largest part of extraction after the walk itself. A `CursorNode` is a plain object made
 * from a few cursor reads (type id, offsets, field id); its children, parent and siblings are read
 * when asked, by moving one spare cursor to the node by its descendant index; text comes from the
 * source string and rows from a table of its line starts.
 */
export class CursorNode {
  readonly #tree: CursorTree;
  /** Preorder index among the tree's descendants (the root is 0): how the spare cursor finds the node again. */
  readonly #index: number;
  readonly #type: TypeName;
  #start: number;
  #end: number;
  #parent: CursorNode | null | undefined;
  #children: CursorNode[] | undefined;
  /** The field this node is in its parent (`name`, `value`…), null when none. */
  readonly field: string | null;

  constructor(tree: CursorTree, index: number, type: TypeName, start: number, end: number, field: string | null, parent: CursorNode | null | undefined) {
    this.#tree = tree;
    this.#index = index;
    this.#type = type;
    this.#start = start;
    this.#end = end;
    this.field = field;
    this.#parent = parent;
  }

  get type(): string {
    return this.#type.name;
  }

  get isNamed(): boolean {
    return this.#type.named;
  }

  /** Offset of the node's first character in the source string. */
  get startIndex(): number {
    if (Number.isNaN(this.#start)) this.#readOffsets();
    return this.#start;
  }

  get endIndex(): number {
    if (Number.isNaN(this.#end)) this.#readOffsets();
    return this.#end;
  }

  get text(): string {
    return this.#tree.source.substring(this.startIndex, this.endIndex);
  }

  /** 0-based row of the node's start, as tree-sitter counts rows (by `\n`). */
  get startRow(): number {
    return this.#tree.rowAt(this.startIndex);
  }

  /** 0-based row of the node's end. */
  get endRow(): number {
    return this.#tree.rowAt(this.endIndex);
  }

  /** The source string the tree was parsed from. */
  get source(): string {
    return this.#tree.source;
  }

  get children(): readonly CursorNode[] {
    this.#children ??= this.#tree.childrenOf(this, this.#index);
    return this.#children;
  }

  get namedChildren(): CursorNode[] {
    return this.children.filter((child) => child.isNamed);
  }

  get firstNamedChild(): CursorNode | null {
    return this.children.find((child) => child.isNamed) ?? null;
  }

  childForFieldName(field: string): CursorNode | null {
    return this.children.find((child) => child.field === field) ?? null;
  }

  childrenForFieldName(field: string): CursorNode[] {
    return this.children.filter((child) => child.field === field);
  }

  get parent(): CursorNode | null {
    if (this.#parent === undefined) this.#parent = this.#tree.parentOf(this.#index);
    return this.#parent;
  }

  /** The named nodes before this one among its parent's children (comments included), nearest first. */
  namedSiblingsBefore(): Iterable<SiblingView> {
    return this.#tree.namedSiblingsBefore(this.#index);
  }

  /** The first node of `type` below this one, in preorder. */
  firstDescendantOfType(type: string): CursorNode | null {
    return this.#tree.firstDescendantOfType(this.#index, type);
  }

  #readOffsets(): void {
    const { start, end } = this.#tree.offsetsOf(this.#index);
    this.#start = start;
    this.#end = end;
  }
}

/** A node beside another (a comment above a declaration): what it is and where, not a place to move on from. */
export interface SiblingView {
  type: string;
  text: string;
  startRow: number;
  endRow: number;
}

interface TypeName {
  name: string;
  named: boolean;
}

/**
 * One parsed file as the declaration rules read it: the source, a spare cursor, and the type and
 * field names by id (each read from the binding once per language).
 */
export class CursorTree {
  readonly source: string;
  readonly #spare: Parser.TreeCursor;
  /** Named children by their parent's descendant index, for namedSiblingsBefore. */
  readonly #namedChildren = new Map<number, { index: number; type: string; start: number; end: number }[]>();
  readonly #types: TypeName[];
  readonly #fields: (string | null)[];
  #lineStarts: number[] | undefined;

  constructor(tree: Parser.Tree, source: string) {
    this.source = source;
    this.#spare = tree.walk();
    // The binding sets `language` on every tree it returns (not in its typings).
    const language = (tree as unknown as { language: object }).language;
    const names = namesByLanguage.get(language) ?? { types: [], fields: [] };
    namesByLanguage.set(language, names);
    this.#types = names.types;
    this.#fields = names.fields;
  }

  /** The node the walk's cursor is on (its type already known to the walk). */
  nodeAt(cursor: Parser.TreeCursor): CursorNode {
    return new CursorNode(this, cursor.currentDescendantIndex, this.#typeAt(cursor), cursor.startIndex, cursor.endIndex, null, undefined);
  }

  childrenOf(parent: CursorNode, index: number): CursorNode[] {
    const cursor = this.#spare;
    cursor.gotoDescendant(index);
    if (!cursor.gotoFirstChild()) return [];
    const children: CursorNode[] = [];
    do children.push(this.#current(parent));
    while (cursor.gotoNextSibling());
    return children;
  }

  parentOf(index: number): CursorNode | null {
    const cursor = this.#spare;
    cursor.gotoDescendant(index);
    return cursor.gotoParent() ? this.#current(undefined) : null;
  }

  /**
   * Read going forwards from the parent's first child, once per parent (a class's or an object's
   * members ask in turn): the binding's `gotoPreviousSibling` leaves a cursor's descendant indexes
   * and offsets wrong after a few steps (a long run of comments above a method came out cut).
   */
  *namedSiblingsBefore(index: number): Generator<SiblingView> {
    const cursor = this.#spare;
    cursor.gotoDescendant(index);
    if (!cursor.gotoParent()) return;
    const parent = cursor.currentDescendantIndex;
    let siblings = this.#namedChildren.get(parent);
    if (siblings === undefined) {
      siblings = [];
      if (cursor.gotoFirstChild()) {
        do {
          const type = this.#typeAt(cursor);
          if (type.named) siblings.push({ index: cursor.currentDescendantIndex, type: type.name, start: cursor.startIndex, end: cursor.endIndex });
        } while (cursor.gotoNextSibling());
      }
      this.#namedChildren.set(parent, siblings);
    }
    let at = siblings.length - 1;
    while (at >= 0 && siblings[at]!.index >= index) at--;
    for (; at >= 0; at--) {
      const { type, start, end } = siblings[at]!;
      yield { type, text: this.source.substring(start, end), startRow: this.rowAt(start), endRow: this.rowAt(end) };
    }
  }

  firstDescendantOfType(index: number, type: string): CursorNode | null {
    const cursor = this.#spare;
    cursor.gotoDescendant(index);
    if (!cursor.gotoFirstChild()) return null;
    for (let depth = 1; ; ) {
      if (this.#typeAt(cursor).name === type) return this.#current(undefined);
      if (cursor.gotoFirstChild()) {
        depth++;
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (--depth === 0 || !cursor.gotoParent()) return null;
      }
    }
  }

  offsetsOf(index: number): { start: number; end: number } {
    const cursor = this.#spare;
    cursor.gotoDescendant(index);
    return { start: cursor.startIndex, end: cursor.endIndex };
  }

  /** 0-based row of an offset into the source. */
  rowAt(offset: number): number {
    const starts = (this.#lineStarts ??= lineStarts(this.source));
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  /** The spare cursor's node; an anonymous token's offsets are read only if asked for. */
  #current(parent: CursorNode | null | undefined): CursorNode {
    const cursor = this.#spare;
    const type = this.#typeAt(cursor);
    const start = type.named ? cursor.startIndex : NaN;
    const end = type.named ? cursor.endIndex : NaN;
    return new CursorNode(this, cursor.currentDescendantIndex, type, start, end, this.#fieldAt(cursor), parent);
  }

  #typeAt(cursor: Parser.TreeCursor): TypeName {
    const id = cursor.nodeTypeId;
    let type = this.#types[id];
    if (type === undefined) this.#types[id] = type = { name: cursor.nodeType, named: cursor.nodeIsNamed };
    return type;
  }

  #fieldAt(cursor: Parser.TreeCursor): string | null {
    // Undefined (not 0, as typed) when the node is in no field.
    const id = cursor.currentFieldId as number | undefined;
    if (id === undefined || id === 0) return null;
    let field = this.#fields[id];
    if (field === undefined) this.#fields[id] = field = cursor.currentFieldName;
    return field;
  }
}

/** Type and field names by id, per grammar (ids are the grammar's own). */
const namesByLanguage = new WeakMap<object, { types: TypeName[]; fields: (string | null)[] }>();

function lineStarts(source: string): number[] {
  const starts = [0];
  for (let newline = source.indexOf('\n'); newline !== -1; newline = source.indexOf('\n', newline + 1)) starts.push(newline + 1);
  return starts;
}
