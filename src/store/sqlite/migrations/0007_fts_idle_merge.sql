-- 7: the full-text index merges its segments when the writer is idle (the case store's idle step,
-- store/sqlite/case_store.cc MergeFullTextStep), not inside the group commits of intakes. A setting stored in
-- the index itself (cases_fts_config).

INSERT INTO cases_fts(cases_fts, rank) VALUES('automerge', 0);
