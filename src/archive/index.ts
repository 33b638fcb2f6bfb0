/**
 * The archive: `.atlas` records derived from finished runs, plans by hash, feedback, full-text
 * search (SQLite FTS5 or PostgreSQL tsvector), statistics, JSON Lines bundles, pruning, and the
 * `ModelStats` model selection learns from. See docs/archive.md.
 */
export { Archive, type ArchiveOptions, type ArchivedRun, type FeedbackInput, type ImportReport, type IngestOutcome, type PruneReport } from './Archive.js';
export { ArchiveModelStats, type ArchiveModelStatsOptions } from './ArchiveModelStats.js';
export { deriveAtlas, isFinishedLast } from './deriveAtlas.js';
export { parseSearchQuery, toFts5, toTsQuery, type SearchQuery, type SearchClause, type SearchTerm, type SearchField } from './searchQuery.js';
export { searchDocument, MAX_OUTPUT_INDEX_CHARS, type SearchDocument } from './searchDocument.js';
export type { SearchHit, SearchOptions } from './search.js';
export { STATS_GROUPINGS, type StatsGrouping, type StatsReport, type StatsRow } from './stats.js';
export { cutoffOf } from './timeSpec.js';
