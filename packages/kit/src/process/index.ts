/**
 * `@flotilla/kit/process` — process trees, liveness, pid-reuse detection and tree kills, with one
 * implementation per OS (Linux `/proc`, macOS `ps`) behind each export.
 */
export { isAlive, listProcessTree, processStartTime } from './process-info.js';
export { killTree } from './kill-tree.js';
export { descendantsOf, readProcessTable } from './process-table.js';
export { processesWithEnv } from './process-env.js';
export type { ProcessInfo, ProcessTable } from './process-table.js';
export { execFileResult } from './exec-file.js';
export type { ExecOptions, ExecResult } from './exec-file.js';
export type { KillTreeErrorCode, KillTreeOptions } from './kill-tree.js';
export { KitError, isKitError } from '../internal/errors.js';
export { superviseChild } from './supervise.js';
export type { SupervisedState, SuperviseOptions, Supervisor } from './supervise.js';
