ALTER TABLE `agent_actions` ADD `step_run_id` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `agent_actions_step_run_uq` ON `agent_actions` (`account_id`,`step_run_id`);