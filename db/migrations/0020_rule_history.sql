CREATE TABLE `rule_history` (
	`account_id` integer NOT NULL,
	`rule_id` integer NOT NULL,
	`event_id` integer NOT NULL,
	`status` text NOT NULL,
	PRIMARY KEY(`account_id`, `rule_id`, `event_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `rule_history_marks` (
	`account_id` integer PRIMARY KEY NOT NULL,
	`event_id` integer NOT NULL
);
--> statement-breakpoint
DROP INDEX `rule_runs_rule_idx`;--> statement-breakpoint
CREATE UNIQUE INDEX `rule_runs_event_uq` ON `rule_runs` (`account_id`,`event_id`,`rule_id`);--> statement-breakpoint
ALTER TABLE `rule_events` ADD `outcomes` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
CREATE INDEX `rule_events_account_idx` ON `rule_events` (`account_id`,`id`);--> statement-breakpoint
-- Earlier events: their outcomes from their verdicts, every verdict in the history index, and each
-- account's mark past its last event (their feed entries were written with them).
UPDATE `rule_events` SET `outcomes` = (
  SELECT json_group_array(json_array(json_extract(v.value, '$.ruleId'), json_extract(v.value, '$.version'), json_extract(v.value, '$.status')))
  FROM json_each(`rule_events`.`verdicts`) v
);--> statement-breakpoint
INSERT OR IGNORE INTO `rule_history` (`account_id`, `rule_id`, `event_id`, `status`)
SELECT e.`account_id`, json_extract(v.value, '$.ruleId'), e.`id`, json_extract(v.value, '$.status')
FROM `rule_events` e, json_each(e.`verdicts`) v ORDER BY 1, 2, 3;--> statement-breakpoint
INSERT INTO `rule_history_marks` (`account_id`, `event_id`) SELECT `account_id`, max(`id`) FROM `rule_events` GROUP BY `account_id`;
