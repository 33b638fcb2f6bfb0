/** The database: Kysely over SQLite (default) or PostgreSQL, migrations, the run store and the audit copy. */
export { openStore, type OpenStoreOptions } from './openStore.js';
export { appendWithKysely } from './appendWithKysely.js';
export { appendPostgres } from './appendPostgres.js';
export type { Store, NewEventRow } from './Store.js';
export type { BulkInsert, BulkResult, BulkWriter } from './BulkWriter.js';
export { latencyBucket, latencyBucketRange, latencyBucketSql } from './latencyBucket.js';
export type { SqliteStoreOptions } from './sqliteStore.js';
export type { PostgresStoreOptions } from './postgresStore.js';
export {
  DATABASE_URL_VARIABLE,
  describeTarget,
  maskDatabaseUrl,
  resolveDatabaseTarget,
  targetSecrets,
  type DatabaseTarget,
  type PostgresTarget,
  type SqliteTarget,
} from './databaseTarget.js';
export { MIGRATIONS, migrate, migrateWithReport, schemaStatus, type Migration, type MigrationReport, type SchemaStatus, type StoreDialect } from './migrations.js';
export {
  RUN_STATUSES,
  type ArchivePlansTable,
  type AtlasFeedbackTable,
  type AtlasRunsTable,
  type AtlasStatsLatencyTable,
  type AtlasStatsTable,
  type AtlasStatsTitlesTable,
  type AtlasTasksTable,
  type StatsGroupingName,
  type ModelCallsTable,
  type AuditEventsTable,
  type Database,
  type MigrationsTable,
  type ResultsTable,
  type RunEventsTable,
  type RunStatus,
  type RunsTable,
} from './Database.js';
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
export { AuditStore, auditMirror, type AuditCopyCheck, type AuditMirrorOptions, type AuditRecord } from './AuditStore.js';
export { isLockedError, isUnavailableError, isUniqueViolation, toStorageError } from './storageErrors.js';
