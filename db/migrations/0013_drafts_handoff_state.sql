ALTER TABLE `lead_agent_state` ADD `handoff_at` integer;--> statement-breakpoint
ALTER TABLE `lead_agent_state` ADD `handoff_user_id` integer;--> statement-breakpoint
ALTER TABLE `lead_agent_state` ADD `handoff_by` integer;--> statement-breakpoint
ALTER TABLE `agent_actions` ADD `draft_id` integer;--> statement-breakpoint
CREATE INDEX `agent_actions_draft_idx` ON `agent_actions` (`account_id`,`draft_id`);--> statement-breakpoint
ALTER TABLE `agents` ADD `run_without_approval` text DEFAULT '[]' NOT NULL;