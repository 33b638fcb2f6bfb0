/** The database: Kysely over SQLite (PostgreSQL later), migrations, and the run store. */
export { openStore, appendWithKysely, type OpenStoreOptions, type Store, type NewEventRow } from './openStore.js';
export { MIGRATIONS, migrate, type Migration, type StoreDialect } from './migrations.js';
export { RUN_STATUSES, type Database, type MigrationsTable, type ResultsTable, type RunEventsTable, type RunStatus, type RunsTable } from './Database.js';
export {
  RunStore,
  currentOwner,
  processAlive,
  runNotFound,
  type Lease,
  type LeaseOwner,
  type NewRun,
  type NewRunEvent,
  type RunRecord,
  type RunStoreOptions,
  type RunSummary,
  type StoredRunEvent,
} from './RunStore.js';
export { isLockedError, toStorageError } from './storageErrors.js';
