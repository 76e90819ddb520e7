CREATE TABLE `rule_history` (
	`account_id` integer NOT NULL,
	`rule_id` integer NOT NULL,
	`run_id` integer NOT NULL,
	PRIMARY KEY(`account_id`, `rule_id`, `run_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `rule_history_marks` (
	`account_id` integer PRIMARY KEY NOT NULL,
	`run_id` integer NOT NULL
);
--> statement-breakpoint
-- Every earlier run goes into the history index, and each account's mark starts at its last run.
INSERT INTO `rule_history` (`account_id`, `rule_id`, `run_id`) SELECT `account_id`, `rule_id`, `id` FROM `rule_runs` ORDER BY `account_id`, `rule_id`, `id`;--> statement-breakpoint
INSERT INTO `rule_history_marks` (`account_id`, `run_id`) SELECT `account_id`, max(`id`) FROM `rule_runs` GROUP BY `account_id`;--> statement-breakpoint
DROP INDEX `rule_runs_rule_idx`;--> statement-breakpoint
CREATE INDEX `rule_runs_account_idx` ON `rule_runs` (`account_id`,`id`);
