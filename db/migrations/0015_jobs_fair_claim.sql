CREATE INDEX `jobs_queue_ready_idx` ON `jobs` (`status`,`queue`,`run_at`);--> statement-breakpoint
CREATE INDEX `jobs_fair_idx` ON `jobs` (`status`,`queue`,`account_id`,`run_at`);