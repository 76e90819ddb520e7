CREATE TABLE `rule_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`event_key` text NOT NULL,
	`type` text NOT NULL,
	`lead_id` integer,
	`depth` integer DEFAULT 0 NOT NULL,
	`fired` text DEFAULT '' NOT NULL,
	`verdicts` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rule_events_key_uq` ON `rule_events` (`account_id`,`event_key`,`type`);--> statement-breakpoint
CREATE INDEX `rule_events_lead_idx` ON `rule_events` (`account_id`,`lead_id`,`created_at`);--> statement-breakpoint
-- Every earlier run becomes an event of its own with the same id (its trace kept): the rules' history and queued run jobs survive.
INSERT INTO `rule_events` (`id`, `account_id`, `event_key`, `type`, `lead_id`, `depth`, `fired`, `verdicts`, `created_at`)
SELECT `id`, `account_id`, `event_key` || '#run' || `id`, coalesce(json_extract(`trace`, '$.event.type'), 'unknown'), `lead_id`, `depth`,
  CASE WHEN `status` IN ('fired', 'done', 'failed') THEN ',' || `rule_id` || ',' ELSE '' END,
  json_array(json_object('ruleId', `rule_id`, 'version', `version`, 'status', `status`, 'trace', json(`trace`))), `created_at`
FROM `rule_runs`;--> statement-breakpoint
DROP INDEX `rule_runs_event_uq`;--> statement-breakpoint
DROP INDEX `rule_runs_lead_idx`;--> statement-breakpoint
ALTER TABLE `rule_runs` ADD `event_id` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
UPDATE `rule_runs` SET `event_id` = `id`;--> statement-breakpoint
ALTER TABLE `rule_runs` DROP COLUMN `event_key`;--> statement-breakpoint
ALTER TABLE `rule_runs` DROP COLUMN `depth`;--> statement-breakpoint
ALTER TABLE `rule_runs` DROP COLUMN `trace`;--> statement-breakpoint
ALTER TABLE `rule_runs` DROP COLUMN `created_at`;
