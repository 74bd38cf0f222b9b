/**
 * `@flotilla/mesh/board`: the board's store — tasks with leased atomic claims and fencing tokens —
 * behind an async interface (SQLite today; a PostgreSQL store must fit the same interface).
 */
export { BoardStoreError, isBoardStoreError, keyPrefix } from './board/board-store.js';
export type {
  AddTaskInput,
  BoardStore,
  BoardStoreErrorCode,
  ClaimInput,
  ExpireLeasesOptions,
  HandoffInput,
  ReviewDecisionInput,
  ReviewInput,
  Task,
  TaskEvent,
  TaskEventKind,
  TaskHolder,
  TaskListFilter,
  TaskPriority,
  TaskStatus,
} from './board/board-store.js';
export { createSqliteBoardStore } from './board/sqlite-board-store.js';
export type { SqliteBoardStoreOptions } from './board/sqlite-board-store.js';
