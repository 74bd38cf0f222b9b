import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from './sqlite-store.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('sqlite', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'cb-store-')), 'flotilla.db');
  return { store: createSqliteStore({ path, host: 'test' }), reopen: async () => createSqliteStore({ path, host: 'test' }) };
});
