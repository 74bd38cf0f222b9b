import { z } from 'zod';
import { startJsonServer, type JsonReply, type JsonServer, type SeenRequest } from './json-server.js';

/** A stored point: its vector normalised on insert, as Qdrant does for cosine distance. */
export interface StubPoint {
  id: string | number;
  vector: number[];
  payload: Record<string, unknown>;
}

interface Collection {
  size: number;
  distance: string;
  points: Map<string, StubPoint>;
  indexedFields: Set<string>;
}

/** Qdrant takes unsigned integers or any 8-4-4-4-12 hex UUID (no version check). */
const PointId = z.union([z.number().int().min(0), z.guid()]);
type Condition = { key: string; match: { value?: unknown; any?: unknown[]; except?: unknown[] } } | Filter;
interface Filter {
  must?: Condition | Condition[];
  should?: Condition | Condition[];
  must_not?: Condition | Condition[];
}
const FilterSchema: z.ZodType<Filter> = z.lazy(() =>
  z.object({ must: Conditions.optional(), should: Conditions.optional(), must_not: Conditions.optional() }),
);
const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([z.object({ key: z.string(), match: z.object({ value: z.unknown().optional(), any: z.array(z.unknown()).optional(), except: z.array(z.unknown()).optional() }) }), FilterSchema]),
);
const Conditions = z.union([ConditionSchema, z.array(ConditionSchema)]);

const CreateCollectionBody = z.object({ vectors: z.object({ size: z.number().int().positive(), distance: z.enum(['Cosine', 'Dot', 'Euclid', 'Manhattan']) }) });
const FieldIndexBody = z.object({ field_name: z.string(), field_schema: z.unknown() });
const UpsertBody = z.object({
  points: z.array(z.object({ id: PointId, vector: z.array(z.number()), payload: z.record(z.string(), z.unknown()).nullish() })),
});
const DeleteBody = z.union([z.object({ points: z.array(PointId) }), z.object({ filter: FilterSchema })]);
const QueryBody = z.object({
  query: z.union([z.array(z.number()), z.object({ nearest: z.array(z.number()) })]).optional(),
  filter: FilterSchema.optional(),
  limit: z.number().int().positive().default(10),
  offset: z.number().int().min(0).default(0),
  with_payload: z.boolean().default(false),
  with_vector: z.boolean().default(false),
  score_threshold: z.number().optional(),
});
const ScrollBody = z.object({ filter: FilterSchema.optional(), limit: z.number().int().positive().default(10), with_payload: z.boolean().default(true) }).default({ limit: 10, with_payload: true });
const CountBody = z.object({ filter: FilterSchema.optional() }).default({});

export interface QdrantStub extends JsonServer {
  /** The points of a collection (empty when it does not exist). */
  points(collection: string): StubPoint[];
  collections(): string[];
}

/**
 * A Qdrant REST server on 127.0.0.1 holding collections in memory, speaking the wire format that
 * `@qdrant/js-client-rest` sends and expects (`{result, status: 'ok', time}`, errors as
 * `{status: {error}}`): collections (create, exists, info, delete), payload indexes, points (upsert,
 * delete by ids or filter, scroll, count) and `points/query` by exact cosine similarity with
 * `match` filters (`value`, `any`, `except`; `must`, `should`, `must_not`).
 *
 * @example
 * await using qdrant = await startQdrantStub({ apiKey: 'qk' });
 * new QdrantClient({ url: qdrant.url, apiKey: 'qk', checkCompatibility: false });
 */
export async function startQdrantStub(options: { apiKey?: string } = {}): Promise<QdrantStub> {
  const collections = new Map<string, Collection>();
  let operation = 0;
  const updated = (): JsonReply => ok({ operation_id: ++operation, status: 'completed' });
  const server = await startJsonServer((request) => {
    if (options.apiKey !== undefined && request.headers['api-key'] !== options.apiKey) return fail(401, 'Must provide an API key or an Authorization bearer token');
    const path = request.url.split('?')[0] ?? '/';
    if (request.method === 'GET' && path === '/') return { status: 200, body: { title: 'qdrant - vector search engine', version: '1.18.0', commit: 'stub' } };
    if (request.method === 'GET' && path === '/collections') return ok({ collections: [...collections.keys()].map((name) => ({ name })) });
    const match = /^\/collections\/([^/]+)(\/.*)?$/.exec(path);
    if (match === null) return fail(404, `Not found: ${path}`);
    const name = decodeURIComponent(match[1] ?? '');
    const rest = match[2] ?? '';
    if (rest === '/exists' && request.method === 'GET') return ok({ exists: collections.has(name) });
    if (rest === '' && request.method === 'PUT') {
      if (collections.has(name)) return fail(409, `Wrong input: Collection \`${name}\` already exists!`);
      return parsed(CreateCollectionBody, request, (body) => {
        collections.set(name, { size: body.vectors.size, distance: body.vectors.distance, points: new Map(), indexedFields: new Set() });
        return ok(true);
      });
    }
    const collection = collections.get(name);
    if (collection === undefined) return fail(404, `Not found: Collection \`${name}\` doesn't exist!`);
    if (rest === '' && request.method === 'GET') return ok(collectionInfo(collection));
    if (rest === '' && request.method === 'DELETE') return ok(collections.delete(name));
    if (rest === '/index' && request.method === 'PUT') return parsed(FieldIndexBody, request, (body) => (collection.indexedFields.add(body.field_name), updated()));
    if (rest === '/points' && request.method === 'PUT') return parsed(UpsertBody, request, (body) => upsert(collection, body) ?? updated());
    if (rest === '/points/delete' && request.method === 'POST') return parsed(DeleteBody, request, (body) => (deletePoints(collection, body), updated()));
    if (rest === '/points/query' && request.method === 'POST') return parsed(QueryBody, request, (body) => ok({ points: query(collection, body) }));
    if (rest === '/points/scroll' && request.method === 'POST') {
      return parsed(ScrollBody, request, (body) => ok({ points: [...selected(collection, body.filter)].slice(0, body.limit).map(({ id, payload }) => ({ id, payload })), next_page_offset: null }));
    }
    if (rest === '/points/count' && request.method === 'POST') return parsed(CountBody, request, (body) => ok({ count: [...selected(collection, body.filter)].length }));
    return fail(404, `Not found: ${request.method} ${path}`);
  });
  return {
    ...server,
    points: (collection) => [...(collections.get(collection)?.points.values() ?? [])],
    collections: () => [...collections.keys()],
  };
}

function ok(result: unknown): JsonReply {
  return { status: 200, body: { result, status: 'ok', time: 0.0001 } };
}

function fail(status: number, error: string): JsonReply {
  return { status, body: { status: { error }, time: 0.0001 } };
}

function parsed<T>(schema: z.ZodType<T>, request: SeenRequest, then: (body: T) => JsonReply): JsonReply {
  const result = schema.safeParse(request.body);
  if (!result.success) return fail(422, `Format error in JSON body: ${result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  return then(result.data);
}

function collectionInfo(collection: Collection): Record<string, unknown> {
  const count = collection.points.size;
  return {
    status: 'green',
    optimizer_status: 'ok',
    indexed_vectors_count: count,
    points_count: count,
    segments_count: 1,
    config: {
      params: { vectors: { size: collection.size, distance: collection.distance }, shard_number: 1, replication_factor: 1, write_consistency_factor: 1, on_disk_payload: true },
      hnsw_config: { m: 16, ef_construct: 100, full_scan_threshold: 10000, max_indexing_threads: 0, on_disk: false },
      optimizer_config: { deleted_threshold: 0.2, vacuum_min_vector_number: 1000, default_segment_number: 0, flush_interval_sec: 5 },
      wal_config: { wal_capacity_mb: 32, wal_segments_ahead: 0 },
      quantization_config: null,
    },
    payload_schema: Object.fromEntries([...collection.indexedFields].map((field) => [field, { data_type: 'keyword', points: count }])),
  };
}

function upsert(collection: Collection, body: z.infer<typeof UpsertBody>): JsonReply | undefined {
  const wrong = body.points.find((point) => point.vector.length !== collection.size);
  if (wrong !== undefined) return fail(400, `Wrong input: Vector dimension error: expected dim: ${collection.size}, got ${wrong.vector.length}`);
  for (const point of body.points) {
    const norm = Math.hypot(...point.vector) || 1;
    collection.points.set(String(point.id), { id: point.id, vector: point.vector.map((value) => value / norm), payload: point.payload ?? {} });
  }
  return undefined;
}

function deletePoints(collection: Collection, body: z.infer<typeof DeleteBody>): void {
  if ('points' in body) for (const id of body.points) collection.points.delete(String(id));
  else for (const point of [...selected(collection, body.filter)]) collection.points.delete(String(point.id));
}

function query(collection: Collection, body: z.infer<typeof QueryBody>): Record<string, unknown>[] {
  const raw = body.query === undefined ? undefined : Array.isArray(body.query) ? body.query : body.query.nearest;
  const norm = raw === undefined ? 1 : Math.hypot(...raw) || 1;
  const scored = [...selected(collection, body.filter)].map((point) => ({
    point,
    score: raw === undefined ? 0 : point.vector.reduce((sum, value, i) => sum + value * ((raw[i] ?? 0) / norm), 0),
  }));
  return scored
    .filter(({ score }) => body.score_threshold === undefined || score >= body.score_threshold)
    .sort((a, b) => b.score - a.score)
    .slice(body.offset, body.offset + body.limit)
    .map(({ point, score }) => ({
      id: point.id,
      version: 1,
      score,
      ...(body.with_payload ? { payload: point.payload } : {}),
      ...(body.with_vector ? { vector: point.vector } : {}),
    }));
}

function* selected(collection: Collection, filter: Filter | undefined): Generator<StubPoint> {
  for (const point of collection.points.values()) if (filter === undefined || matches(point.payload, filter)) yield point;
}

function matches(payload: Record<string, unknown>, filter: Filter): boolean {
  const list = (conditions: Condition | Condition[] | undefined): Condition[] => (conditions === undefined ? [] : Array.isArray(conditions) ? conditions : [conditions]);
  const holds = (condition: Condition): boolean => {
    if (!('key' in condition)) return matches(payload, condition);
    const value = payload[condition.key];
    const { match } = condition;
    if (match.any !== undefined) return match.any.includes(value);
    if (match.except !== undefined) return !match.except.includes(value);
    return value === match.value;
  };
  const should = list(filter.should);
  return list(filter.must).every(holds) && !list(filter.must_not).some(holds) && (should.length === 0 || should.some(holds));
}
