-- 10: each region import is a batch that keeps the rows it replaced, so that the last import can be undone
-- (`civicgrid check --repair`, POST /api/v1/regions/import/undo) when it left the region tree inconsistent.
CREATE TABLE reference_import_batches(
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,      -- what was imported: 'regions'
  at TEXT NOT NULL,        -- UTC, RFC 3339
  actor TEXT NOT NULL,
  rows INTEGER NOT NULL,   -- rows written
  undone_at TEXT           -- set once undone
);
-- One row per region the batch wrote: what was there before (existed = 0: nothing; undo deletes the row).
CREATE TABLE reference_import_previous(
  batch INTEGER NOT NULL REFERENCES reference_import_batches(id),
  code TEXT NOT NULL,
  existed INTEGER NOT NULL,
  name TEXT,
  kind TEXT,
  parent TEXT,
  geometry TEXT,
  PRIMARY KEY(batch, code)
);
