CREATE TABLE `accounts` (
	`id` integer PRIMARY KEY NOT NULL,
	`host` text NOT NULL,
	`subdomain` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'connected' NOT NULL,
	`status_reason` text,
	`webhook_secret` text NOT NULL,
	`access_token_enc` text,
	`refresh_token_enc` text,
	`token_expires_at` integer,
	`token_version` integer DEFAULT 0 NOT NULL,
	`refresh_lock_token` text,
	`refresh_lock_until` integer,
	`long_lived` integer DEFAULT false NOT NULL,
	`current_user_id` integer,
	`settings` text DEFAULT '{}' NOT NULL,
	`installed_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `accounts_webhook_secret_uq` ON `accounts` (`webhook_secret`);--> statement-breakpoint
CREATE INDEX `accounts_status_idx` ON `accounts` (`status`);--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer,
	`queue` text NOT NULL,
	`payload` text DEFAULT '{}' NOT NULL,
	`idempotency_key` text,
	`serial_key` text,
	`status` text DEFAULT 'queued' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`max_attempts` integer DEFAULT 8 NOT NULL,
	`run_at` integer NOT NULL,
	`lease_expires_at` integer,
	`claim_token` text,
	`last_error` text,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `jobs_queue_idem_uq` ON `jobs` (`queue`,`idempotency_key`);--> statement-breakpoint
CREATE INDEX `jobs_claim_idx` ON `jobs` (`status`,`run_at`,`id`);--> statement-breakpoint
CREATE INDEX `jobs_serial_idx` ON `jobs` (`serial_key`,`status`,`id`);--> statement-breakpoint
CREATE INDEX `jobs_account_idx` ON `jobs` (`account_id`,`queue`,`status`);--> statement-breakpoint
CREATE TABLE `activity_logs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`user_id` integer,
	`agent_id` integer,
	`lead_id` integer,
	`type` text NOT NULL,
	`title` text NOT NULL,
	`description` text,
	`metadata` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `activity_feed_idx` ON `activity_logs` (`account_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `activity_type_idx` ON `activity_logs` (`account_id`,`type`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `activity_lead_idx` ON `activity_logs` (`account_id`,`lead_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `activity_agent_idx` ON `activity_logs` (`account_id`,`agent_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `auth_jtis` (
	`jti` text PRIMARY KEY NOT NULL,
	`account_id` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `auth_jtis_expires_idx` ON `auth_jtis` (`expires_at`);