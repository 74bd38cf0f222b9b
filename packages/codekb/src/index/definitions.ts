import type { NodeTable, TableNode } from './node-table.js';
import { describe, type FoundDoc } from './describe.js';
import { FUNCTION_VALUE, isFunctionValue, memberDefinitions, noteDeclaredObject, objectMemberName, unwrap } from './members.js';
import type { LanguageId } from './languages.js';

/** A declaration recognised at the cursor. */
export interface Definition {
  kind: string;
  name: string;
  /** Overrides the enclosing symbol's name (Go receivers, Rust impl targets). */
  container: string | null;
  /** The declaration's first line: UTF-16 offsets into the source, end exclusive. */
  signatureStart: number;
  signatureEnd: number;
  /** The doc comment or docstring, and where its source lies. */
  doc: FoundDoc | null;
  startLine: number;
  endLine: number;
  /** Start offsets of the name nodes, which are not references. */
  nameStarts: number[];
}

export interface DefinitionContext {
  language: LanguageId;
  /** The file's nodes (see node-table.ts). */
  tree: NodeTable;
  parentKind: string | undefined;
  parentName: string | undefined;
  /**
   * Start offsets of the object literals whose members are definitions (see members.ts), noted
   * at their declarator, assignment or enclosing member, which the walk meets first.
   */
  declaredObjects: Set<number>;
  /** Whether the cursor's node is a member of a declared object literal. */
  inDeclaredObject: boolean;
  /** The type of the cursor's node's parent (undefined at the root). */
  parentType?: string;
}

/** What one syntax node declares. */
export interface Declarations {
  /** The declaration that encloses the node's descendants (a class, a function, an object member). */
  scope: Definition | undefined;
  /** Declarations beside it that enclose nothing: destructured names, loop variables, parameter properties, enum members. */
  members: Definition[];
}

/** Declaration node types across the grammars, with the kind they declare. */
const KINDS: Readonly<Record<string, string>> = {
  function_declaration: 'function',
  generator_function_declaration: 'function',
  function_signature: 'function',
  // Named function and class expressions (`decode: function _decode() {}`, `class Named {}`).
  function_expression: 'function',
  generator_function: 'function',
  class: 'class',
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
  construct_signature: 'method',
  public_field_definition: 'property',
  field_definition: 'property',
  property_signature: 'property',
  variable_declarator: 'variable',
  // Object-literal members and `a.b = function…` (JavaScript's ways to define methods), `export { a as b }`.
  pair: 'property',
  assignment_expression: 'variable',
  export_specifier: 'alias',
  namespace_export: 'alias',
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
  associated_type: 'type',
  macro_definition: 'macro',
};

/** Rust type nodes around the named type an `impl` is for, with the field that holds it. */
const IMPL_TYPE_WRAPPERS: Readonly<Record<string, string>> = {
  reference_type: 'type',
  pointer_type: 'type',
  generic_type: 'type',
  scoped_type_identifier: 'name',
  array_type: 'element',
};

/** Node types that may declare members (see members.ts). */
const MEMBER_TYPES = new Set(['variable_declarator', 'for_in_statement', 'enum_body', 'method_definition', 'object', 'assignment', 'field_declaration', 'var_spec', 'const_spec']);
const CONTAINER_KINDS = new Set(['class', 'interface', 'impl', 'trait', 'struct', 'enum', 'namespace', 'module']);
const FUNCTION_KINDS = new Set(['function', 'method']);
/** Longer containers (`a.b.c…` chains) are not worth storing. */
const CONTAINER_MAX = 200;

/** Whether a node of this type may declare anything (what resolveDeclarations looks at). */
export function mayDeclare(type: string): boolean {
  return KINDS[type] !== undefined || MEMBER_TYPES.has(type);
}

/** Recognises what the node at `row` (of type `type`) declares, or returns undefined. */
export function resolveDeclarations(row: number, type: string, context: DefinitionContext): Declarations | undefined {
  const baseKind = KINDS[type];
  const mayHaveMembers = MEMBER_TYPES.has(type);
  if (baseKind === undefined && !mayHaveMembers) return undefined;
  const table = context.tree;
  // `class` is also the keyword's (unnamed) node type.
  if (type === 'class' && !table.isNamed(row)) return undefined;
  // Object literals are everywhere; only declared ones declare anything (decided without the node).
  if (type === 'pair' && !context.inDeclaredObject) return undefined;
  if (type === 'object' && !context.declaredObjects.has(table.start(row))) return undefined;
  if (type === 'assignment_expression' && !mayAssignDefinition(table, row)) return undefined;
  const node = table.node(row);
  const scope = baseKind === undefined ? undefined : resolveDefinition(node, baseKind, context);
  const members = mayHaveMembers ? memberDefinitions(node, context) : [];
  return scope === undefined && members.length === 0 ? undefined : { scope, members };
}

/** Right sides that may make an assignment a definition (see assignedName), wrapped or not. */
const ASSIGNED_VALUE = /^(arrow_function|function_expression|function|generator_function|class|object|parenthesized_expression|as_expression|satisfies_expression|non_null_expression)$/;

/** Whether an assignment's right side (its last child) may define something (most assign plain values). */
function mayAssignDefinition(table: NodeTable, row: number): boolean {
  const last = table.lastChild(row);
  return last !== -1 && ASSIGNED_VALUE.test(table.type(last));
}

function resolveDefinition(node: TableNode, baseKind: string, context: DefinitionContext): Definition | undefined {
  const named = nameOf(node, context);
  if (named === undefined) return undefined;
  let kind = named.kind ?? baseKind;
  if (kind === 'function' && context.parentKind !== undefined && CONTAINER_KINDS.has(context.parentKind)) kind = 'method';
  if (node.type === 'type_spec') kind = typeSpecKind(node);
  if (node.type === 'variable_declarator') {
    const value = unwrap(node.childForFieldName('value'));
    if (isFunctionValue(value)) kind = 'function';
    noteDeclaredObject(value, context);
  }
  return { ...describe(node, kind, named.name, context.parentType), container: named.container, nameStarts: named.nameStarts };
}

/** A declaration's name, the container it names itself and the offsets of its name nodes. */
export interface Named {
  name: string;
  container: string | null;
  nameStarts: number[];
  /** Overrides the node type's kind. */
  kind?: string;
}

function nameOf(node: TableNode, context: DefinitionContext): Named | undefined {
  switch (node.type) {
    case 'assignment':
      return pythonAssignmentName(node, context);
    case 'assignment_expression':
      return assignedName(node, context);
    case 'pair':
      return objectMemberName(node, context);
    case 'construct_signature':
      return { name: 'new', container: null, nameStarts: [] };
    case 'export_specifier':
    case 'namespace_export':
      return exportAliasName(node);
    case 'impl_item': {
      const base = implementedType(node.childForFieldName('type'));
      return base === null ? undefined : { name: base.text, container: traitName(node), nameStarts: [] };
    }
    case 'method_declaration': {
      const name = node.childForFieldName('name');
      if (name === null) return undefined;
      const receiver = node.childForFieldName('receiver')?.firstDescendantOfType('type_identifier');
      return { name: name.text, container: receiver?.text ?? null, nameStarts: [name.startIndex] };
    }
    default: {
      const name = node.childForFieldName('name') ?? node.childForFieldName('property');
      if (name === null) return undefined;
      // `[Symbol.iterator]() {}`: ctags, like a reader, names the method by its key's text.
      if (name.type === 'computed_property_name') return { name: name.text, container: null, nameStarts: [] };
      // `'~validate'() {}`: a string names a method by its content.
      if (name.type === 'string' && name.text.length > 2) return { name: name.text.slice(1, -1), container: null, nameStarts: [] };
      if (!/identifier|^name$|constant/.test(name.type)) return undefined;
      return { name: name.text, container: null, nameStarts: [name.startIndex] };
    }
  }
}

/**
 * Python assignments declare variables at module and class level (as ctags does); in a function
 * body only a lambda does (`key = lambda item: item[0]`), and it declares a function.
 */
function pythonAssignmentName(node: TableNode, context: DefinitionContext): Named | undefined {
  const left = node.childForFieldName('left');
  if (left?.type !== 'identifier') return undefined;
  const named = { name: left.text, container: null, nameStarts: [left.startIndex] };
  if (node.childForFieldName('right')?.type === 'lambda') return { ...named, kind: 'function' };
  if (context.parentKind !== undefined && FUNCTION_KINDS.has(context.parentKind)) return undefined;
  return named;
}

/**
 * `name = function…`, `obj.name = () => …`, `Ctor.prototype.name = function…`, `exports.name = class…`,
 * `obj.name = {…}`: how JavaScript defines functions, methods and namespaces by assignment (ctags
 * reports them too). Assignments of other values are not definitions.
 */
function assignedName(node: TableNode, context: DefinitionContext): Named | undefined {
  const left = node.childForFieldName('left');
  const right = unwrap(node.childForFieldName('right'));
  if (left === null || right === null) return undefined;
  // `Ctor.prototype = { … }` and `table[key] = { … }` declare their members (as ctags reports), not a name.
  if (/^(identifier|member_expression|subscript_expression)$/.test(left.type)) noteDeclaredObject(right, context);
  const kind = FUNCTION_VALUE.test(right.type) ? 'function' : right.type === 'class' ? 'class' : right.type === 'object' ? 'variable' : undefined;
  if (kind === undefined) return undefined;
  if (left.type === 'identifier') return { name: left.text, container: null, nameStarts: [left.startIndex], kind };
  if (left.type !== 'member_expression') return undefined;
  const property = left.childForFieldName('property');
  const object = left.childForFieldName('object');
  if (property === null || object === null || property.text === 'prototype') return undefined;
  const target = object.text.replace(/\.prototype$/, '');
  const method = kind === 'function' && (target === 'this' || target !== object.text);
  return {
    name: property.text,
    container: target === 'this' || target.length > CONTAINER_MAX ? null : target,
    nameStarts: [property.startIndex],
    kind: method ? 'method' : kind === 'variable' ? 'property' : kind,
  };
}

/** `export { a as b }` and `export * as ns from …` declare a new public name; a plain `export { a }` does not. */
function exportAliasName(node: TableNode): Named | undefined {
  const alias = node.type === 'namespace_export' ? node.namedChildren.find((child) => child.type === 'identifier') : node.childForFieldName('alias');
  // `export { a as default }` names nothing one looks up: `a` is the definition.
  if (alias === null || alias === undefined || alias.type !== 'identifier' || alias.text === 'default') return undefined;
  return { name: alias.text, container: null, nameStarts: [alias.startIndex] };
}

/** The type an `impl` is for, by its own name: `&'a mut T` → `T`, `io::Cursor<T>` → `Cursor`, `[Span; 3]` → `Span`. */
function implementedType(type: TableNode | null): TableNode | null {
  let base = type;
  while (base !== null && IMPL_TYPE_WRAPPERS[base.type] !== undefined) base = base.childForFieldName(IMPL_TYPE_WRAPPERS[base.type] ?? '');
  return base === null || base.type === 'never_type' ? null : base;
}

function traitName(impl: TableNode): string | null {
  return impl.childForFieldName('trait')?.text ?? null;
}

function typeSpecKind(node: TableNode): string {
  const type = node.childForFieldName('type')?.type;
  if (type === 'struct_type') return 'struct';
  if (type === 'interface_type') return 'interface';
  return 'type';
}
