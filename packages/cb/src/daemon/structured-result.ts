import { Ajv } from 'ajv';
import type { Failure } from '@flotilla/protocol';

const ajv = new Ajv({ allErrors: true, strict: false });

/**
 * `--json-schema`: the agent's final answer must be JSON that matches the schema. The real CLI
 * ends "success" even when the model never produced the structured answer, so the daemon checks;
 * a mismatch is the task's failure (it uses an attempt and is retried).
 */
export function checkStructuredResult(schema: unknown, result: string | null): Failure | null {
  if (schema === undefined || schema === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(result ?? '');
  } catch {
    return { kind: 'task', message: 'the final answer is not JSON, but --json-schema asked for a structured answer', rawTail: (result ?? '').slice(-500) };
  }
  let validate;
  try {
    validate = ajv.compile(schema as object);
  } catch (error) {
    return { kind: 'task', message: `the --json-schema could not be compiled: ${(error as Error).message}` };
  }
  if (validate(value)) return null;
  const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`.trim());
  return { kind: 'task', message: `the final answer does not match --json-schema: ${problems.join('; ')}`, rawTail: (result ?? '').slice(-500) };
}
