import type Parser from 'tree-sitter';
import type { LanguageId } from './languages.js';

/** A declaration recognised at the cursor. */
export interface Definition {
  kind: string;
  name: string;
  /** Overrides the enclosing symbol's name (Go receivers, Rust impl targets). */
  container: string | null;
  signature: string;
  doc: string | null;
  startLine: number;
  endLine: number;
  /** Start offsets of the name nodes, which are not references. */
  nameStarts: number[];
}

export interface DefinitionContext {
  language: LanguageId;
  parentKind: string | undefined;
  parentName: string | undefined;
}

/** Declaration node types across the grammars, with the kind they declare. */
const KINDS: Readonly<Record<string, string>> = {
  function_declaration: 'function',
  generator_function_declaration: 'function',
  function_signature: 'function',
  class_declaration: 'class',
  abstract_class_declaration: 'class',
  interface_declaration: 'interface',
  type_alias_declaration: 'type',
  enum_declaration: 'enum',
  enum_assignment: 'enum_member',
  internal_module: 'namespace',
  method_definition: 'method',
  method_signature: 'method',
  abstract_method_signature: 'method',
  public_field_definition: 'property',
  field_definition: 'property',
  property_signature: 'property',
  variable_declarator: 'variable',
  function_definition: 'function',
  class_definition: 'class',
  assignment: 'variable',
  method_declaration: 'method',
  method_elem: 'method',
  type_spec: 'type',
  type_alias: 'type',
  const_spec: 'constant',
  var_spec: 'variable',
  field_declaration: 'field',
  function_item: 'function',
  function_signature_item: 'function',
  struct_item: 'struct',
  union_item: 'struct',
  enum_item: 'enum',
  enum_variant: 'enum_member',
  trait_item: 'trait',
  impl_item: 'impl',
  mod_item: 'module',
  const_item: 'constant',
  static_item: 'variable',
  type_item: 'type',
  macro_definition: 'macro',
};

const CONTAINER_KINDS = new Set(['class', 'interface', 'impl', 'trait', 'struct', 'enum', 'namespace', 'module']);
const FUNCTION_KINDS = new Set(['function', 'method']);
const SIGNATURE_MAX = 200;
const DOC_MAX = 1000;

/** Recognises a declaration at the cursor's node, or returns undefined. */
export function resolveDefinition(cursor: Parser.TreeCursor, context: DefinitionContext): Definition | undefined {
  const baseKind = KINDS[cursor.nodeType];
  if (baseKind === undefined) return undefined;
  const node = cursor.currentNode;
  const named = nameOf(node, context);
  if (named === undefined) return undefined;
  let kind = baseKind;
  if (kind === 'function' && context.parentKind !== undefined && CONTAINER_KINDS.has(context.parentKind)) kind = 'method';
  if (node.type === 'type_spec') kind = typeSpecKind(node);
  if (node.type === 'variable_declarator' && isFunctionValue(node.childForFieldName('value'))) kind = 'function';
  const outer = outerNode(node);
  return {
    kind,
    name: named.name,
    container: named.container,
    signature: firstLine(outer.text),
    doc: docOf(node, outer, context.language),
    startLine: node.startPosition.row + 1,
    endLine: node.endPosition.row + 1,
    nameStarts: named.nameStarts,
  };
}

interface Named {
  name: string;
  container: string | null;
  nameStarts: number[];
}

function nameOf(node: Parser.SyntaxNode, context: DefinitionContext): Named | undefined {
  switch (node.type) {
    case 'assignment':
      return pythonAssignmentName(node, context);
    case 'impl_item': {
      const type = node.childForFieldName('type');
      if (type === null) return undefined;
      const base = type.type === 'generic_type' ? (type.childForFieldName('type') ?? type) : type;
      return { name: base.text, container: traitName(node), nameStarts: [] };
    }
    case 'method_declaration': {
      const name = node.childForFieldName('name');
      if (name === null) return undefined;
      const receiver = node.childForFieldName('receiver')?.descendantsOfType('type_identifier')[0];
      return { name: name.text, container: receiver?.text ?? null, nameStarts: [name.startIndex] };
    }
    default: {
      const name = node.childForFieldName('name') ?? node.childForFieldName('property');
      if (name === null || !/identifier|^name$|constant/.test(name.type)) return undefined;
      return { name: name.text, container: null, nameStarts: [name.startIndex] };
    }
  }
}

/** Python assignments declare variables at module and class level only (as ctags does). */
function pythonAssignmentName(node: Parser.SyntaxNode, context: DefinitionContext): Named | undefined {
  if (context.parentKind !== undefined && FUNCTION_KINDS.has(context.parentKind)) return undefined;
  const left = node.childForFieldName('left');
  if (left?.type !== 'identifier') return undefined;
  return { name: left.text, container: null, nameStarts: [left.startIndex] };
}

function traitName(impl: Parser.SyntaxNode): string | null {
  return impl.childForFieldName('trait')?.text ?? null;
}

function typeSpecKind(node: Parser.SyntaxNode): string {
  const type = node.childForFieldName('type')?.type;
  if (type === 'struct_type') return 'struct';
  if (type === 'interface_type') return 'interface';
  return 'type';
}

function isFunctionValue(value: Parser.SyntaxNode | null): boolean {
  return value !== null && /^(arrow_function|function_expression|function|generator_function)$/.test(value.type);
}

/** The node whose text starts the declaration: `export …`, decorators, a whole `const` statement. */
function outerNode(node: Parser.SyntaxNode): Parser.SyntaxNode {
  let outer = node;
  if (outer.type === 'variable_declarator' && outer.parent !== null && /declaration$/.test(outer.parent.type)) outer = outer.parent;
  if (outer.type === 'assignment' && outer.parent?.type === 'expression_statement') outer = outer.parent;
  if (outer.parent?.type === 'export_statement') outer = outer.parent;
  return outer;
}

function firstLine(text: string): string {
  const line = (text.split('\n', 1)[0] ?? '').trim();
  return line.length > SIGNATURE_MAX ? `${line.slice(0, SIGNATURE_MAX)}…` : line;
}

function docOf(node: Parser.SyntaxNode, outer: Parser.SyntaxNode, language: LanguageId): string | null {
  if (language === 'python' && (node.type === 'function_definition' || node.type === 'class_definition')) {
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
