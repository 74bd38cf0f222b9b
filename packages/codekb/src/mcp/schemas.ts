import { z } from 'zod';

/** Tool inputs, exactly as the MCP tools take them. */
export const SearchInput = {
  query: z.string().min(1).describe('words, an identifier, or (with literal) an exact substring'),
  literal: z.boolean().optional().describe('exact case-sensitive substring, like rg -F'),
  language: z.string().optional().describe('only this language: typescript, tsx, javascript, python, go, rust, text'),
  path: z.string().optional().describe('only paths matching this glob, e.g. src/**/*.ts'),
  limit: z.number().int().min(1).max(1000).optional().describe('most hits (default 20)'),
};
export const DefinitionInput = {
  name: z.string().min(1).describe('a symbol name, or Container.member'),
  limit: z.number().int().min(1).max(1000).optional().describe('most hits (default 20)'),
};
export const ReferencesInput = {
  name: z.string().min(1).describe('the name used'),
  limit: z.number().int().min(1).max(1000).optional().describe('most hits (default 100)'),
};
export const OutlineInput = {
  path: z.string().min(1).describe('file path relative to the repository root'),
};
export const ReadInput = {
  path: z.string().min(1).describe('file path relative to the repository root'),
  start: z.number().int().min(1).optional().describe('first line, 1-based (default 1)'),
  end: z.number().int().min(1).optional().describe('last line, inclusive (default start + 199)'),
};

/** `path:line`, repeated in every hit: Claude Code shows the model the structured result, not the text. */
const Cite = z.string().describe('path:line');

const SymbolHitSchema = z.object({
  path: z.string(),
  line: z.number(),
  endLine: z.number(),
  kind: z.string(),
  name: z.string(),
  container: z.string().nullable(),
  signature: z.string(),
  doc: z.string().nullable(),
});

export const SearchOutput = {
  hits: z.array(
    z.object({
      cite: Cite,
      path: z.string(),
      line: z.number(),
      source: z.enum(['symbol', 'text']),
      text: z.string(),
      name: z.string().optional(),
      kind: z.string().optional(),
    }),
  ),
  /** Present when the vector backend is configured but could not take part (BM25 hits only). */
  note: z.string().optional(),
};
export const DefinitionOutput = { hits: z.array(SymbolHitSchema.extend({ cite: Cite })) };
export const ReferencesOutput = {
  hits: z.array(z.object({ cite: Cite, path: z.string(), line: z.number(), name: z.string(), enclosing: z.string().nullable() })),
};

export interface OutlineNodeData extends z.infer<typeof SymbolHitSchema> {
  children: OutlineNodeData[];
}
const OutlineNodeSchema: z.ZodType<OutlineNodeData> = SymbolHitSchema.extend({
  get children() {
    return z.array(OutlineNodeSchema);
  },
});
export const OutlineOutput = { path: z.string(), symbols: z.array(OutlineNodeSchema) };
export const ReadOutput = {
  path: z.string(),
  start: z.number(),
  end: z.number(),
  totalLines: z.number(),
  lines: z.array(z.object({ line: z.number(), text: z.string() })),
};
