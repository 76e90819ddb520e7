ALTER TABLE `kommo_users` ADD `group_id` integer;--> statement-breakpoint
ALTER TABLE `kommo_users` ADD `rights` text;--> statement-breakpoint
ALTER TABLE `agent_actions` ADD `approved_by` integer;--> statement-breakpoint
ALTER TABLE `agent_actions` ADD `undone_by` integer;--> statement-breakpoint
ALTER TABLE `agent_drafts` ADD `decided_by` integer;