DROP INDEX `jobs_queue_idem_uq`;--> statement-breakpoint
CREATE UNIQUE INDEX `jobs_queue_idem_uq` ON `jobs` (`queue`,`idempotency_key`) WHERE "jobs"."idempotency_key" IS NOT NULL;