import type { TableNode } from './node-table.js';
import type { Definition, DefinitionContext, Named } from './definitions.js';
import { describe } from './describe.js';
import type { LanguageId } from './languages.js';

/**
 * Languages whose object literals declare members: `const api = { get() {}, limit: 10 }` defines
 * `api.get` and `api.limit` when the object is declared (a variable's value, an assignment's right
 * side, or a member of such an object), as ctags reports them for JavaScript. Objects passed as
 * arguments, returned or put in arrays declare nothing. TypeScript declares shapes with types
 * (interfaces and type literals, indexed as such) and ctags reports no object-literal members
 * there: recording them would grow the index by a third on a TypeScript tree for no definition
 * a reader looks up. Methods written in an object (`{ get() {} }`) are indexed in every language.
 */
export const OBJECT_MEMBER_LANGUAGES: ReadonlySet<LanguageId> = new Set(['javascript']);

/**
 * Languages where destructured names and loop variables are definitions (ctags reports them for
 * TypeScript, not for JavaScript, where they are a fifth of all names and mostly `require` unpacking).
 */
const BINDING_LANGUAGES: ReadonlySet<LanguageId> = new Set(['typescript', 'tsx']);

export const FUNCTION_VALUE = /^(arrow_function|function_expression|function|generator_function)$/;
const WRAPPER = /^(parenthesized_expression|as_expression|satisfies_expression|non_null_expression)$/;
const PARAMETER_PROPERTY_MODIFIER = /^(accessibility_modifier|readonly|override_modifier)$/;

export function isFunctionValue(value: TableNode | null): boolean {
  return value !== null && FUNCTION_VALUE.test(value.type);
}

/** Skips parentheses and TypeScript's `as`/`satisfies`/`!` around a value. */
export function unwrap(node: TableNode | null): TableNode | null {
  let value = node;
  while (value !== null && WRAPPER.test(value.type)) value = value.firstNamedChild;
  return value;
}

/**
 * Declarations beside a node that enclose nothing: the names a destructuring `const { a, b: [c] } = …`
 * or a loop `for (const [k, v] of …)` binds, TypeScript's parameter properties
 * (`constructor(private readonly db: Db)`), enum members without an initializer, and shorthand
 * members of a declared object (`{ name, age }`, which stay references to the variables too),
 * the names a Python tuple assignment `a, b = …` binds at module or class level, and Go's
 * further names in a spec and embedded fields.
 */
export function memberDefinitions(node: TableNode, context: DefinitionContext): Definition[] {
  const { language } = context;
  switch (node.type) {
    case 'variable_declarator': {
      const name = BINDING_LANGUAGES.has(language) ? node.childForFieldName('name') : null;
      return name === null || name.type === 'identifier' ? [] : bindings(name, node);
    }
    case 'for_in_statement': {
      // `for (x of xs)` assigns an existing variable; `for (const x of xs)` declares one.
      const left = BINDING_LANGUAGES.has(language) && node.childForFieldName('kind') !== null ? node.childForFieldName('left') : null;
      return left === null ? [] : bindings(left, node);
    }
    case 'enum_body':
      return node.namedChildren.filter((child) => child.type === 'property_identifier').map((child) => member(child, child, 'enum_member', [child.startIndex]));
    case 'method_definition':
      return node.childForFieldName('name')?.text === 'constructor' ? parameterProperties(node) : [];
    case 'object':
      // resolveDeclarations only asks about declared objects.
      return node.namedChildren.filter((child) => child.type === 'shorthand_property_identifier').map((child) => member(child, child, 'property', []));
    case 'field_declaration':
    case 'var_spec':
    case 'const_spec':
      return language === 'go' ? goNames(node) : [];
    case 'assignment': {
      const left = node.childForFieldName('left');
      const inFunction = context.parentKind === 'function' || context.parentKind === 'method';
      return left === null || left.type === 'identifier' || inFunction ? [] : bindings(left, node);
    }
    default:
      return [];
  }
}

/**
 * Notes that `value` (a declarator's value, an assignment's right side or a member's value) is a
 * declared object literal, whose members are then definitions (in OBJECT_MEMBER_LANGUAGES).
 */
export function noteDeclaredObject(value: TableNode | null, context: DefinitionContext): void {
  if (value?.type === 'object' && OBJECT_MEMBER_LANGUAGES.has(context.language)) context.declaredObjects.add(value.startIndex);
}

/** The name and kind a `key: value` member of a declared object literal declares, if any. */
export function objectMemberName(pair: TableNode, context: DefinitionContext): Named | undefined {
  const key = pair.childForFieldName('key');
  if (key === null) return undefined;
  const value = unwrap(pair.childForFieldName('value'));
  noteDeclaredObject(value, context);
  const kind = isFunctionValue(value) ? 'method' : 'property';
  if (key.type === 'property_identifier' || key.type === 'private_property_identifier') return { name: key.text, container: null, nameStarts: [key.startIndex], kind };
  const literal = key.type === 'computed_property_name' && key.firstNamedChild?.type === 'string' ? key.firstNamedChild : key;
  // A string key names the member by its content; a computed one by its text, as ctags does. Numbers name nothing.
  const name = literal.type === 'string' ? literal.text.slice(1, -1) : key.type === 'computed_property_name' ? key.text : '';
  return name === '' || name.includes('\n') ? undefined : { name, container: null, nameStarts: [], kind };
}

/**
 * Go declares several names in one spec (`x, y int`, `var i, j = 1, 2`): the first is the
 * declaration's own, the others are members. An embedded field (`*bytes.Buffer`) is named by its
 * type (`Buffer`), as Go promotes it.
 */
function goNames(spec: TableNode): Definition[] {
  const names = spec.childrenForFieldName('name').filter((name) => /identifier/.test(name.type));
  const kind = spec.type === 'field_declaration' ? 'field' : spec.type === 'const_spec' ? 'constant' : 'variable';
  if (names.length > 0) return names.slice(1).map((name) => member(name, spec, kind, [name.startIndex]));
  let type = spec.type === 'field_declaration' ? spec.childForFieldName('type') : null;
  if (type?.type === 'generic_type') type = type.childForFieldName('type');
  if (type?.type === 'qualified_type') type = type.childForFieldName('name');
  return type?.type === 'type_identifier' ? [member(type, spec, kind, [])] : [];
}

function parameterProperties(constructor: TableNode): Definition[] {
  const parameters = constructor.childForFieldName('parameters')?.namedChildren ?? [];
  return parameters
    .filter((parameter) => parameter.children.some((child) => PARAMETER_PROPERTY_MODIFIER.test(child.type)))
    .flatMap((parameter) => {
      const name = parameter.childForFieldName('pattern');
      return name?.type === 'identifier' ? [member(name, parameter, 'property', [name.startIndex])] : [];
    });
}

/** The identifiers a binding pattern declares (not the keys it reads, nor its default values). */
function bindings(pattern: TableNode, declaration: TableNode): Definition[] {
  const names: TableNode[] = [];
  const visit = (node: TableNode | null): void => {
    if (node === null) return;
    switch (node.type) {
      case 'identifier':
      case 'shorthand_property_identifier_pattern':
        names.push(node);
        return;
      case 'pair_pattern':
        return visit(node.childForFieldName('value'));
      case 'assignment_pattern':
      case 'object_assignment_pattern':
        return visit(node.childForFieldName('left'));
      case 'rest_pattern':
      case 'object_pattern':
      case 'array_pattern':
      // Python: `a, b = …`, `(a, b) = …`, `[a, *rest] = …`.
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern':
      case 'list_splat_pattern':
        for (const child of node.namedChildren) visit(child);
        return;
      default:
        return;
    }
  };
  visit(pattern);
  return names.map((name) => member(name, declaration, 'variable', [name.startIndex]));
}

/** A member named by `name`, described by `declaration` (its signature and doc), on the name's line. */
function member(name: TableNode, declaration: TableNode, kind: string, nameStarts: number[]): Definition {
  const line = name.startRow + 1;
  return { ...describe(declaration, kind, name.text), startLine: line, endLine: line, container: null, nameStarts };
}
