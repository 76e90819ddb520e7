CREATE TABLE `conversation_messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`lead_id` integer,
	`contact_id` integer,
	`direction` text NOT NULL,
	`author` text NOT NULL,
	`author_user_id` integer,
	`channel` text NOT NULL,
	`chat_id` text,
	`talk_id` integer,
	`external_id` text,
	`subject` text,
	`text` text NOT NULL,
	`metadata` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `conv_lead_idx` ON `conversation_messages` (`account_id`,`lead_id`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `conv_external_uq` ON `conversation_messages` (`account_id`,`channel`,`external_id`);--> statement-breakpoint
CREATE TABLE `lead_agent_state` (
	`account_id` integer NOT NULL,
	`lead_id` integer NOT NULL,
	`paused_until` integer,
	`paused_reason` text,
	`handoff_active` integer DEFAULT false NOT NULL,
	`handoff_reason` text,
	`human_replied_at` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `lead_id`)
);
