CREATE TABLE `own_writes` (
	`account_id` integer NOT NULL,
	`key` text NOT NULL,
	`expires_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `key`)
);
--> statement-breakpoint
CREATE INDEX `own_writes_expires_idx` ON `own_writes` (`expires_at`);--> statement-breakpoint
CREATE TABLE `pending_bursts` (
	`account_id` integer NOT NULL,
	`lead_id` integer NOT NULL,
	`first_at` integer NOT NULL,
	`message_ids` text NOT NULL,
	PRIMARY KEY(`account_id`, `lead_id`)
);
--> statement-breakpoint
CREATE TABLE `salesbot_requests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`lead_id` integer,
	`return_url` text NOT NULL,
	`data` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`created_at` integer NOT NULL,
	`continued_at` integer
);
--> statement-breakpoint
CREATE INDEX `salesbot_requests_lead_idx` ON `salesbot_requests` (`account_id`,`lead_id`,`status`);--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`source` text NOT NULL,
	`content_type` text,
	`body` text NOT NULL,
	`event_count` integer DEFAULT 0 NOT NULL,
	`duplicate_count` integer DEFAULT 0 NOT NULL,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_account_idx` ON `webhook_deliveries` (`account_id`,`id`);--> statement-breakpoint
CREATE TABLE `webhook_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`delivery_id` integer NOT NULL,
	`event_key` text NOT NULL,
	`kind` text NOT NULL,
	`action` text NOT NULL,
	`entity_id` text,
	`payload` text NOT NULL,
	`status` text DEFAULT 'received' NOT NULL,
	`received_at` integer NOT NULL,
	`processed_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_events_key_uq` ON `webhook_events` (`account_id`,`event_key`);--> statement-breakpoint
CREATE INDEX `webhook_events_kind_idx` ON `webhook_events` (`account_id`,`kind`,`id`);--> statement-breakpoint
CREATE TABLE `calls` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`kommo_note_id` integer,
	`lead_id` integer,
	`contact_id` integer,
	`direction` text NOT NULL,
	`duration_sec` integer DEFAULT 0 NOT NULL,
	`call_status` integer,
	`missed` integer DEFAULT false NOT NULL,
	`phone` text,
	`link` text,
	`user_id` integer,
	`uniq` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `calls_note_uq` ON `calls` (`account_id`,`kommo_note_id`);--> statement-breakpoint
CREATE INDEX `calls_lead_idx` ON `calls` (`account_id`,`lead_id`);--> statement-breakpoint
CREATE TABLE `talks` (
	`account_id` integer NOT NULL,
	`id` integer NOT NULL,
	`chat_id` text,
	`contact_id` integer,
	`lead_id` integer,
	`origin` text,
	`is_in_work` integer,
	`is_read` integer,
	`kommo_updated_at` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `id`)
);
--> statement-breakpoint
CREATE TABLE `tasks` (
	`account_id` integer NOT NULL,
	`id` integer NOT NULL,
	`lead_id` integer,
	`entity_type` integer,
	`entity_id` integer,
	`task_type_id` integer,
	`text` text DEFAULT '' NOT NULL,
	`responsible_user_id` integer,
	`is_completed` integer DEFAULT false NOT NULL,
	`result_text` text,
	`complete_till` integer,
	`is_deleted` integer DEFAULT false NOT NULL,
	`kommo_updated_at` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `tasks_lead_idx` ON `tasks` (`account_id`,`lead_id`);