CREATE TABLE `lead_stage_moves` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`lead_id` integer NOT NULL,
	`from_pipeline_id` integer NOT NULL,
	`from_status_id` integer NOT NULL,
	`to_pipeline_id` integer NOT NULL,
	`to_status_id` integer NOT NULL,
	`source` text NOT NULL,
	`agent_id` integer,
	`action_id` integer,
	`advanced` integer NOT NULL,
	`agent_handled` integer NOT NULL,
	`without_human` integer NOT NULL,
	`event_key` text,
	`moved_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `lead_stage_moves_event_uq` ON `lead_stage_moves` (`account_id`,`event_key`);--> statement-breakpoint
CREATE INDEX `lead_stage_moves_time_idx` ON `lead_stage_moves` (`account_id`,`moved_at`);--> statement-breakpoint
CREATE INDEX `lead_stage_moves_lead_idx` ON `lead_stage_moves` (`account_id`,`lead_id`,`moved_at`);--> statement-breakpoint
ALTER TABLE `agent_stage_bindings` ADD `reply_by_email` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `agent_turns` ADD `pipeline_id` integer;--> statement-breakpoint
ALTER TABLE `agent_turns` ADD `status_id` integer;--> statement-breakpoint
CREATE INDEX `agent_turns_time_idx` ON `agent_turns` (`account_id`,`created_at`);