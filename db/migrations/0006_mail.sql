CREATE TABLE `email_templates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`name` text NOT NULL,
	`subject` text NOT NULL,
	`html` text,
	`text` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `email_templates_name_uq` ON `email_templates` (`account_id`,`name`);--> statement-breakpoint
CREATE TABLE `mail_notifications` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`user_id` integer,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`lead_id` integer,
	`dedupe_key` text NOT NULL,
	`status` text NOT NULL,
	`outbox_id` integer,
	`skip_reason` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mail_notifications_dedupe_uq` ON `mail_notifications` (`account_id`,`dedupe_key`);--> statement-breakpoint
CREATE INDEX `mail_notifications_pending_idx` ON `mail_notifications` (`account_id`,`user_id`,`status`,`id`);--> statement-breakpoint
CREATE TABLE `mail_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`lead_id` integer,
	`kind` text NOT NULL,
	`from_address` text NOT NULL,
	`from_name` text,
	`to` text NOT NULL,
	`cc` text NOT NULL,
	`subject` text NOT NULL,
	`html` text,
	`text` text NOT NULL,
	`message_id` text NOT NULL,
	`in_reply_to` text,
	`references` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`idempotency_key` text NOT NULL,
	`smtp_data_at` integer,
	`smtp_response` text,
	`note_id` integer,
	`created_at` integer NOT NULL,
	`sent_at` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mail_outbox_idem_uq` ON `mail_outbox` (`account_id`,`idempotency_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `mail_outbox_msgid_uq` ON `mail_outbox` (`message_id`);--> statement-breakpoint
CREATE INDEX `mail_outbox_lead_idx` ON `mail_outbox` (`account_id`,`lead_id`,`id`);--> statement-breakpoint
CREATE TABLE `mail_settings` (
	`account_id` integer PRIMARY KEY NOT NULL,
	`smtp` text,
	`imap` text,
	`from_name` text,
	`from_address` text,
	`notifications_enabled` integer DEFAULT true NOT NULL,
	`imap_uid_validity` text,
	`imap_last_uid` integer DEFAULT 0 NOT NULL,
	`imap_error` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `mail_user_prefs` (
	`account_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`notifications_enabled` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `user_id`)
);
