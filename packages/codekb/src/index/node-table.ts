import type Parser from 'tree-sitter';

/**
 * A parsed file's syntax nodes as one table, read from the binding in one call: the walk and the
 * declaration rules (definitions.ts, members.ts, describe.ts) read types, fields, offsets, children
 * and parents from it instead of moving a tree cursor, where every step and every value read is a
 * native call (two million of them for zod's sources, most of extraction's time).
 *
 * Rows are in preorder, the order of tree-sitter's descendant indexes (the root is 0), six values
 * each: the type id with `NAMED` set for named nodes, the field id (0 for none), the start and end
 * offsets (UTF-16 units, as the binding's `startIndex`/`endIndex`), the descendant count (the
 * node included) and the parent's row (-1 for the root). The patched binding (patches/tree-sitter@…)
 * fills them natively (`TreeCursor.preorder`); an unpatched one (a prebuilt binary) through a
 * cursor walk in `rowsByCursor`, the same rows more slowly.
 */
export const ROW_VALUES = 6;
const TYPE = 0;
const FIELD = 1;
const START = 2;
const END = 3;
const SIZE = 4;
const PARENT = 5;
const NAMED = 0x10000;
const TYPE_ID = 0xffff;

type PatchedCursor = Parser.TreeCursor & { preorder?: () => Int32Array };

/** The table's rows for a whole tree: natively when the binding is patched, else by `rowsByCursor`. */
export function readRows(tree: Parser.Tree): Int32Array {
  const cursor = tree.walk() as PatchedCursor;
  return typeof cursor.preorder === 'function' ? cursor.preorder() : rowsByCursor(cursor, tree.rootNode.descendantCount);
}

/** The rows of the cursor's node and everything below it (`count` nodes), read step by step. */
export function rowsByCursor(cursor: Parser.TreeCursor, count: number): Int32Array {
  const rows = new Int32Array(count * ROW_VALUES);
  /** Rows of the nodes entered and not yet left. */
  const open: number[] = [];
  for (let row = 0; row < count; ) {
    const at = row * ROW_VALUES;
    rows[at + TYPE] = cursor.nodeTypeId | (cursor.nodeIsNamed ? NAMED : 0);
    // Undefined (not 0, as typed) when the node is in no field.
    rows[at + FIELD] = (cursor.currentFieldId as number | undefined) ?? 0;
    rows[at + START] = cursor.startIndex;
    rows[at + END] = cursor.endIndex;
    rows[at + PARENT] = open.at(-1) ?? -1;
    if (cursor.gotoFirstChild()) {
      open.push(row++);
      continue;
    }
    rows[at + SIZE] = 1;
    row++;
    for (;;) {
      if (open.length === 0) return rows;
      if (cursor.gotoNextSibling()) break;
      cursor.gotoParent();
      const parent = open.pop()!;
      rows[parent * ROW_VALUES + SIZE] = row - parent;
    }
  }
  return rows;
}

interface TypeName {
  name: string;
  named: boolean;
}

/** Type and field names by id, per grammar (ids are the grammar's own), learned as they are met. */
const namesByLanguage = new WeakMap<object, { types: TypeName[]; fields: (string | null)[] }>();

/** One parsed file's nodes: its source, its rows, and names for their type and field ids. */
export class NodeTable {
  readonly source: string;
  /** Nodes in the tree. */
  readonly count: number;
  readonly #rows: Int32Array;
  readonly #tree: Parser.Tree;
  /** Moved to a row only to learn a type or field name not met before in this grammar. */
  #namer: Parser.TreeCursor | undefined;
  readonly #types: TypeName[];
  readonly #fields: (string | null)[];
  #lineStarts: number[] | undefined;
  /** Named children by their parent's row (a class's members each ask for the comments above them). */
  readonly #namedChildren = new Map<number, number[]>();

  constructor(tree: Parser.Tree, source: string, rows: Int32Array = readRows(tree)) {
    this.source = source;
    this.#tree = tree;
    this.#rows = rows;
    this.count = rows.length / ROW_VALUES;
    // Every row spans at least itself: a row left unfilled (a walk that stopped short) would make
    // the walks over this table loop forever; such a file is an error record instead.
    for (let at = SIZE; at < rows.length; at += ROW_VALUES) {
      if (rows[at]! < 1) throw new Error(`the syntax tree's node table is incomplete at row ${(at - SIZE) / ROW_VALUES} of ${this.count}`);
    }
    // The binding sets `language` on every tree it returns (not in its typings).
    const language = (tree as unknown as { language: object }).language;
    const names = namesByLanguage.get(language) ?? { types: [], fields: [] };
    namesByLanguage.set(language, names);
    this.#types = names.types;
    this.#fields = names.fields;
  }

  typeId(row: number): number {
    return this.#rows[row * ROW_VALUES + TYPE]! & TYPE_ID;
  }

  isNamed(row: number): boolean {
    return (this.#rows[row * ROW_VALUES + TYPE]! & NAMED) !== 0;
  }

  type(row: number): string {
    const id = this.typeId(row);
    let type = this.#types[id];
    if (type === undefined) this.#types[id] = type = { name: this.#namerAt(row).nodeType, named: this.isNamed(row) };
    return type.name;
  }

  /** The field the node is in its parent (`name`, `value`…), null when none. */
  field(row: number): string | null {
    const id = this.#rows[row * ROW_VALUES + FIELD]!;
    if (id === 0) return null;
    let field = this.#fields[id];
    if (field === undefined) this.#fields[id] = field = this.#namerAt(row).currentFieldName ?? null;
    return field;
  }

  start(row: number): number {
    return this.#rows[row * ROW_VALUES + START]!;
  }

  end(row: number): number {
    return this.#rows[row * ROW_VALUES + END]!;
  }

  /** Rows in the node's subtree, the node included: the next row after it is `row + size(row)`. */
  size(row: number): number {
    return this.#rows[row * ROW_VALUES + SIZE]!;
  }

  /** The parent's row, -1 for the root. */
  parent(row: number): number {
    return this.#rows[row * ROW_VALUES + PARENT]!;
  }

  children(row: number): number[] {
    const children: number[] = [];
    const end = row + this.size(row);
    for (let child = row + 1; child < end; child += this.size(child)) children.push(child);
    return children;
  }

  /** The named children's rows, remembered per parent. */
  namedChildren(row: number): readonly number[] {
    let named = this.#namedChildren.get(row);
    if (named === undefined) this.#namedChildren.set(row, (named = this.children(row).filter((child) => this.isNamed(child))));
    return named;
  }

  /** The last child's row, -1 when there is none. */
  lastChild(row: number): number {
    let last = -1;
    const end = row + this.size(row);
    for (let child = row + 1; child < end; child += this.size(child)) last = child;
    return last;
  }

  /** The first row below `row`, in preorder, of a node of `type`; -1 when there is none. */
  firstDescendantOfType(row: number, type: string): number {
    const end = row + this.size(row);
    for (let below = row + 1; below < end; below++) if (this.type(below) === type) return below;
    return -1;
  }

  node(row: number): TableNode {
    return new TableNode(this, row);
  }

  /** 0-based row of an offset into the source (as tree-sitter counts rows: by `\n`). */
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

  #namerAt(row: number): Parser.TreeCursor {
    this.#namer ??= this.#tree.walk();
    this.#namer.gotoDescendant(row);
    return this.#namer;
  }
}

/** A node beside another (a comment above a declaration): what it is and where, not a place to move on from. */
export interface SiblingView {
  type: string;
  startIndex: number;
  endIndex: number;
  startRow: number;
  endRow: number;
}

/**
 * One node of a `NodeTable`, as the declaration rules read it (the part of the binding's
 * `SyntaxNode` they use): a row number with its table, children made when first asked.
 */
export class TableNode {
  readonly #table: NodeTable;
  readonly #row: number;
  #children: TableNode[] | undefined;

  constructor(table: NodeTable, row: number) {
    this.#table = table;
    this.#row = row;
  }

  get type(): string {
    return this.#table.type(this.#row);
  }

  get isNamed(): boolean {
    return this.#table.isNamed(this.#row);
  }

  /** The field this node is in its parent (`name`, `value`…), null when none. */
  get field(): string | null {
    return this.#table.field(this.#row);
  }

  /** Offset of the node's first character in the source string. */
  get startIndex(): number {
    return this.#table.start(this.#row);
  }

  get endIndex(): number {
    return this.#table.end(this.#row);
  }

  get text(): string {
    return this.#table.source.substring(this.startIndex, this.endIndex);
  }

  /** 0-based row of the node's start, as tree-sitter counts rows (by `\n`). */
  get startRow(): number {
    return this.#table.rowAt(this.startIndex);
  }

  /** 0-based row of the node's end. */
  get endRow(): number {
    return this.#table.rowAt(this.endIndex);
  }

  /** The source string the tree was parsed from. */
  get source(): string {
    return this.#table.source;
  }

  get children(): readonly TableNode[] {
    this.#children ??= this.#table.children(this.#row).map((row) => new TableNode(this.#table, row));
    return this.#children;
  }

  get namedChildren(): TableNode[] {
    return this.children.filter((child) => child.isNamed);
  }

  get firstNamedChild(): TableNode | null {
    return this.children.find((child) => child.isNamed) ?? null;
  }

  childForFieldName(field: string): TableNode | null {
    return this.children.find((child) => child.field === field) ?? null;
  }

  childrenForFieldName(field: string): TableNode[] {
    return this.children.filter((child) => child.field === field);
  }

  get parent(): TableNode | null {
    const parent = this.#table.parent(this.#row);
    return parent === -1 ? null : new TableNode(this.#table, parent);
  }

  /** The named nodes before this one among its parent's children (comments included), nearest first. */
  *namedSiblingsBefore(): Generator<SiblingView> {
    const table = this.#table;
    const parent = table.parent(this.#row);
    if (parent === -1) return;
    const named = table.namedChildren(parent);
    let at = named.length - 1;
    while (at >= 0 && named[at]! >= this.#row) at--;
    for (; at >= 0; at--) {
      const row = named[at]!;
      const start = table.start(row);
      const end = table.end(row);
      yield { type: table.type(row), startIndex: start, endIndex: end, startRow: table.rowAt(start), endRow: table.rowAt(end) };
    }
  }

  /** The first node of `type` below this one, in preorder. */
  firstDescendantOfType(type: string): TableNode | null {
    const row = this.#table.firstDescendantOfType(this.#row, type);
    return row === -1 ? null : new TableNode(this.#table, row);
  }
}

function lineStarts(source: string): number[] {
  const starts = [0];
  for (let newline = source.indexOf('\n'); newline !== -1; newline = source.indexOf('\n', newline + 1)) starts.push(newline + 1);
  return starts;
}
