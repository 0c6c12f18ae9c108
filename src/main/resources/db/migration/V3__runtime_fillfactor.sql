-- Worker checkpoints rewrite every RUNNING project's runtime row twice a second. Free space in each page
-- lets PostgreSQL keep the new version on the same page and skip the indexes (a HOT update); the lease
-- column, the only indexed one a checkpoint writes, changes only every half TTL (WorkerStore.CHECKPOINT).
alter table project_runtime set (fillfactor = 50);
