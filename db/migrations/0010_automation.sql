CREATE TABLE `rule_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`rule_id` integer NOT NULL,
	`version` integer NOT NULL,
	`event_key` text NOT NULL,
	`lead_id` integer,
	`depth` integer DEFAULT 0 NOT NULL,
	`status` text NOT NULL,
	`trace` text NOT NULL,
	`results` text,
	`created_at` integer NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rule_runs_event_uq` ON `rule_runs` (`account_id`,`rule_id`,`version`,`event_key`);--> statement-breakpoint
CREATE INDEX `rule_runs_rule_idx` ON `rule_runs` (`account_id`,`rule_id`,`id`);--> statement-breakpoint
CREATE INDEX `rule_runs_lead_idx` ON `rule_runs` (`account_id`,`lead_id`,`rule_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `rule_state` (
	`account_id` integer NOT NULL,
	`rule_id` integer NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`account_id`, `rule_id`, `key`)
);
--> statement-breakpoint
CREATE TABLE `rule_versions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`rule_id` integer NOT NULL,
	`version` integer NOT NULL,
	`definition` text NOT NULL,
	`created_by` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rule_versions_uq` ON `rule_versions` (`account_id`,`rule_id`,`version`);--> statement-breakpoint
CREATE TABLE `rules` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`name` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`trigger_type` text NOT NULL,
	`pipeline_id` integer,
	`status_id` integer,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer
);
--> statement-breakpoint
CREATE INDEX `rules_account_trigger_idx` ON `rules` (`account_id`,`trigger_type`);--> statement-breakpoint
CREATE TABLE `sequence_enrollments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`sequence_id` integer NOT NULL,
	`lead_id` integer NOT NULL,
	`status` text NOT NULL,
	`step` integer DEFAULT 0 NOT NULL,
	`next_run_at` integer,
	`stop_reason` text,
	`enrolled_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `seq_enrollments_lead_idx` ON `sequence_enrollments` (`account_id`,`lead_id`,`status`);--> statement-breakpoint
CREATE INDEX `seq_enrollments_seq_idx` ON `sequence_enrollments` (`account_id`,`sequence_id`,`status`);--> statement-breakpoint
CREATE INDEX `seq_enrollments_due_idx` ON `sequence_enrollments` (`status`,`next_run_at`);--> statement-breakpoint
CREATE TABLE `sequence_step_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`enrollment_id` integer NOT NULL,
	`step` integer NOT NULL,
	`status` text NOT NULL,
	`result` text,
	`created_at` integer NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `seq_step_runs_uq` ON `sequence_step_runs` (`account_id`,`enrollment_id`,`step`);--> statement-breakpoint
CREATE TABLE `sequences` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`name` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`pipeline_id` integer,
	`status_id` integer,
	`definition` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer
);
--> statement-breakpoint
CREATE INDEX `sequences_account_idx` ON `sequences` (`account_id`,`id`);--> statement-breakpoint
CREATE TABLE `unsubscribes` (
	`account_id` integer NOT NULL,
	`email` text NOT NULL,
	`lead_id` integer,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `email`)
);
--> statement-breakpoint
ALTER TABLE `agent_actions` ADD `rule_run_id` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `agent_actions_rule_seq_uq` ON `agent_actions` (`account_id`,`rule_run_id`,`seq`);--> statement-breakpoint
ALTER TABLE `agent_stage_bindings` ADD `on_stage_enter` text DEFAULT 'off' NOT NULL;