import type Parser from 'tree-sitter';
import type { Definition } from './definitions.js';

const SIGNATURE_MAX = 200;
const DOC_MAX = 1000;

/** Kind, name, signature (first line), doc comment and lines of a declaration at `node`. */
export function describe(node: Parser.SyntaxNode, kind: string, name: string): Omit<Definition, 'container' | 'nameStarts'> {
  const outer = outerNode(node);
  return {
    kind,
    name,
    signature: firstLine(outer.text),
    doc: docOf(node, outer),
    startLine: node.startPosition.row + 1,
    endLine: node.endPosition.row + 1,
  };
}

/** The node whose text starts the declaration: `export …`, decorators, a whole `const` statement. */
function outerNode(node: Parser.SyntaxNode): Parser.SyntaxNode {
  let outer = node;
  if (outer.type === 'variable_declarator' && outer.parent !== null && /declaration$/.test(outer.parent.type)) outer = outer.parent;
  if (/^(assignment|assignment_expression)$/.test(outer.type) && outer.parent?.type === 'expression_statement') outer = outer.parent;
  if (outer.parent?.type === 'export_statement') outer = outer.parent;
  return outer;
}

function firstLine(text: string): string {
  const line = (text.split('\n', 1)[0] ?? '').trim();
  return line.length > SIGNATURE_MAX ? `${line.slice(0, SIGNATURE_MAX)}…` : line;
}

function docOf(node: Parser.SyntaxNode, outer: Parser.SyntaxNode): string | null {
  // Only Python's grammar has these node types.
  if (node.type === 'function_definition' || node.type === 'class_definition') {
    const docstring = pythonDocstring(node);
    if (docstring !== null) return docstring;
  }
  const anchor = outer.parent?.type === 'decorated_definition' ? outer.parent : outer;
  const lines: string[] = [];
  let expectedEnd = anchor.startPosition.row;
  for (let sibling = anchor.previousNamedSibling; sibling !== null; sibling = sibling.previousNamedSibling) {
    if (!/comment/.test(sibling.type) || sibling.endPosition.row < expectedEnd - 1) break;
    lines.unshift(cleanComment(sibling.text));
    expectedEnd = sibling.startPosition.row;
  }
  const doc = lines.join('\n').trim();
  return doc === '' ? null : doc.slice(0, DOC_MAX);
}

function pythonDocstring(node: Parser.SyntaxNode): string | null {
  const first = node.childForFieldName('body')?.firstNamedChild;
  const string = first?.type === 'expression_statement' ? first.firstNamedChild : null;
  if (string?.type !== 'string') return null;
  const text = string.text.replace(/^[rbuf]*("""|'''|"|')/i, '').replace(/("""|'''|"|')$/, '').trim();
  return text === '' ? null : text.slice(0, DOC_MAX);
}

function cleanComment(text: string): string {
  return text
    .replace(/^\/\*\*?|\*\/$/g, '')
    .split('\n')
    .map((line) => line.replace(/^\s*(\/\/\/?|#|\*)\s?/, '').trimEnd())
    .join('\n')
    .trim();
}
