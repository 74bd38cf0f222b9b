import type { SiblingView, TableNode } from './node-table.js';
import type { Definition } from './definitions.js';
import { DocForm, DOC_SOURCE_MAX_UNITS, docText } from '../store/doc-text.js';
import { SIGNATURE_STORED_BYTES } from '../store/signature.js';
import { isHighSurrogate } from './utf8-offsets.js';

/** Kind, name, signature (where its first line lies), doc comment and lines of a declaration at `node`. */
export function describe(node: TableNode, kind: string, name: string, parentType?: string): Omit<Definition, 'container' | 'nameStarts'> {
  const { outer, parent } = parentType !== undefined && standsAlone(node.type, parentType) ? { outer: node, parent: null } : outerNode(node);
  return {
    kind,
    name,
    signatureStart: outer.startIndex,
    signatureEnd: firstLineEnd(outer),
    doc: docOf(node, parent?.type === 'decorated_definition' ? parent : outer),
    startLine: node.startRow + 1,
    endLine: node.endRow + 1,
  };
}

/**
 * Whether, by its parent's type alone (`parentType`, which the walk knows), a declaration is its own outer node with a parent that
 * is not a decorator (outerNode would return it with a parent describe does not use): then no
 * `parent` call into the binding is made.
 */
function standsAlone(type: string, parent: string): boolean {
  if (parent === 'export_statement' || parent === 'decorated_definition') return false;
  const statement = type === 'variable_declarator' ? /declaration$/ : /^(assignment|assignment_expression)$/.test(type) ? /^expression_statement$/ : null;
  return statement === null || !statement.test(parent);
}

/**
 * The node whose text starts the declaration (`export …`, decorators, a whole `const` statement)
 * and its parent. `parent` is a native call each time: this runs for every symbol.
 */
function outerNode(node: TableNode): { outer: TableNode; parent: TableNode | null } {
  let outer = node;
  let parent = node.parent;
  const statement = outer.type === 'variable_declarator' ? /declaration$/ : /^(assignment|assignment_expression)$/.test(outer.type) ? /^expression_statement$/ : null;
  if (parent !== null && statement?.test(parent.type) === true) {
    outer = parent;
    parent = outer.parent;
  }
  if (parent?.type === 'export_statement') {
    outer = parent;
    parent = outer.parent;
  }
  return { outer, parent };
}

/**
 * Where the first line of `node`'s text ends (its end when it is one line), looking no further than
 * the signature bytes the index keeps could reach (a UTF-16 unit is at least one byte).
 */
function firstLineEnd(node: TableNode): number {
  const start = node.startIndex;
  const limit = Math.min(node.endIndex, start + SIGNATURE_STORED_BYTES);
  const newline = node.source.substring(start, limit).indexOf('\n');
  return newline === -1 ? limit : start + newline;
}

/** A doc and where its source lies (UTF-16 offsets into the file's source, end exclusive). */
export interface FoundDoc {
  text: string;
  start: number;
  end: number;
  form: DocForm;
}

/** The docstring of a Python definition, else the comments right above `anchor`. */
function docOf(node: TableNode, anchor: TableNode): FoundDoc | null {
  // Only Python's grammar has these node types.
  if (node.type === 'function_definition' || node.type === 'class_definition') {
    const docstring = pythonDocstring(node);
    if (docstring !== null) return docstring;
  }
  if (!commentMayPrecede(anchor)) return null;
  let first: SiblingView | undefined;
  let last: SiblingView | undefined;
  let expectedEnd = anchor.startRow;
  for (const sibling of anchor.namedSiblingsBefore()) {
    if (!/comment/.test(sibling.type) || sibling.endRow < expectedEnd - 1) break;
    first = sibling;
    last ??= sibling;
    expectedEnd = sibling.startRow;
  }
  return first === undefined || last === undefined ? null : sourcedDoc(anchor.source, first.startIndex, last.endIndex, DocForm.Comments);
}

/**
 * The doc of the source between `start` and `end`, cut at `DOC_SOURCE_MAX_UNITS` (not inside a
 * surrogate pair), or null when it holds none.
 */
export function sourcedDoc(source: string, start: number, end: number, form: DocForm): FoundDoc | null {
  let cut = Math.min(end, start + DOC_SOURCE_MAX_UNITS);
  if (cut < end && isHighSurrogate(source.charCodeAt(cut - 1))) cut--;
  const text = docText(source.substring(start, cut), form);
  return text === null ? null : { text, start, end: cut, form };
}

/**
 * Whether the source right before `node` ends a comment (a block comment's end, or a line that
 * is a `//` or `#` comment). Finding a previous sibling is a native call that walks the parent's children from the
 * first one, quadratic over a long object literal or class; the source answers most cases at once.
 */
function commentMayPrecede(node: TableNode): boolean {
  const { source } = node;
  let end = node.startIndex;
  while (end > 0 && /\s/.test(source[end - 1] ?? '')) end--;
  if (source.endsWith('*/', end)) return true;
  const line = source.slice(source.lastIndexOf('\n', end - 1) + 1, end).trimStart();
  return line.startsWith('//') || line.startsWith('#');
}

function pythonDocstring(node: TableNode): FoundDoc | null {
  const first = node.childForFieldName('body')?.firstNamedChild;
  const string = first?.type === 'expression_statement' ? first.firstNamedChild : null;
  if (string?.type !== 'string') return null;
  return sourcedDoc(string.source, string.startIndex, string.endIndex, DocForm.Docstring);
}
