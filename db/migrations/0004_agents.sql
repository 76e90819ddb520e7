CREATE TABLE `agent_actions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`lead_id` integer NOT NULL,
	`agent_id` integer NOT NULL,
	`turn_id` integer,
	`seq` integer DEFAULT 0 NOT NULL,
	`type` text NOT NULL,
	`args` text NOT NULL,
	`summary` text NOT NULL,
	`status` text NOT NULL,
	`before` text,
	`after` text,
	`kommo_ids` text,
	`error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `agent_actions_turn_seq_uq` ON `agent_actions` (`account_id`,`turn_id`,`seq`);--> statement-breakpoint
CREATE INDEX `agent_actions_lead_idx` ON `agent_actions` (`account_id`,`lead_id`,`id`);--> statement-breakpoint
CREATE TABLE `agent_drafts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`lead_id` integer NOT NULL,
	`agent_id` integer NOT NULL,
	`turn_id` integer NOT NULL,
	`text` text NOT NULL,
	`channel` text,
	`delivery` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`via` text,
	`note_id` integer,
	`created_at` integer NOT NULL,
	`decided_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `agent_drafts_turn_uq` ON `agent_drafts` (`account_id`,`turn_id`);--> statement-breakpoint
CREATE INDEX `agent_drafts_lead_idx` ON `agent_drafts` (`account_id`,`lead_id`,`status`);--> statement-breakpoint
CREATE TABLE `agent_stage_bindings` (
	`account_id` integer NOT NULL,
	`pipeline_id` integer NOT NULL,
	`status_id` integer NOT NULL,
	`agent_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `pipeline_id`, `status_id`),
	FOREIGN KEY (`agent_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `agent_bindings_agent_idx` ON `agent_stage_bindings` (`agent_id`);--> statement-breakpoint
CREATE TABLE `agent_turns` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`lead_id` integer NOT NULL,
	`agent_id` integer NOT NULL,
	`turn_key` text NOT NULL,
	`trigger` text NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`plan` text,
	`reply` text,
	`prompt_tokens` integer DEFAULT 0 NOT NULL,
	`completion_tokens` integer DEFAULT 0 NOT NULL,
	`cost_usd` real DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `agent_turns_key_uq` ON `agent_turns` (`account_id`,`turn_key`);--> statement-breakpoint
CREATE INDEX `agent_turns_lead_idx` ON `agent_turns` (`account_id`,`lead_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `agents` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`name` text NOT NULL,
	`instructions` text DEFAULT '' NOT NULL,
	`model` text NOT NULL,
	`temperature` real DEFAULT 0.3 NOT NULL,
	`language` text DEFAULT 'auto' NOT NULL,
	`tone` text DEFAULT '' NOT NULL,
	`mode` text DEFAULT 'draft' NOT NULL,
	`working_hours` text,
	`reply_delay_sec` integer DEFAULT 0 NOT NULL,
	`max_replies_per_lead_per_day` integer DEFAULT 20 NOT NULL,
	`allowed_actions` text NOT NULL,
	`approval_required` text NOT NULL,
	`handoff` text NOT NULL,
	`human_reply_pause_minutes` integer DEFAULT 60 NOT NULL,
	`max_reply_chars` integer DEFAULT 1000 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `agents_account_idx` ON `agents` (`account_id`,`id`);--> statement-breakpoint
CREATE TABLE `knowledge_chunks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`agent_id` integer NOT NULL,
	`entry_id` integer NOT NULL,
	`ord` integer NOT NULL,
	`title` text NOT NULL,
	`text` text NOT NULL,
	FOREIGN KEY (`entry_id`) REFERENCES `knowledge_entries`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `knowledge_chunks_entry_idx` ON `knowledge_chunks` (`entry_id`);--> statement-breakpoint
CREATE TABLE `knowledge_entries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`agent_id` integer NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`content` text NOT NULL,
	`question` text,
	`answer` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`agent_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `knowledge_entries_agent_idx` ON `knowledge_entries` (`account_id`,`agent_id`,`id`);--> statement-breakpoint
CREATE TABLE `sales_script_stages` (
	`script_id` integer NOT NULL,
	`account_id` integer NOT NULL,
	`pipeline_id` integer NOT NULL,
	`status_id` integer NOT NULL,
	PRIMARY KEY(`script_id`, `pipeline_id`, `status_id`),
	FOREIGN KEY (`script_id`) REFERENCES `sales_scripts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sales_script_stages_stage_idx` ON `sales_script_stages` (`account_id`,`pipeline_id`,`status_id`);--> statement-breakpoint
CREATE TABLE `sales_scripts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`agent_id` integer,
	`name` text NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`agent_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sales_scripts_account_idx` ON `sales_scripts` (`account_id`,`agent_id`);