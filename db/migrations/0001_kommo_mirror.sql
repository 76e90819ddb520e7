CREATE TABLE `companies` (
	`account_id` integer NOT NULL,
	`id` integer NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`responsible_user_id` integer,
	`custom_fields` text DEFAULT '[]' NOT NULL,
	`kommo_updated_at` integer DEFAULT 0 NOT NULL,
	`is_deleted` integer DEFAULT false NOT NULL,
	`synced_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `id`)
);
--> statement-breakpoint
CREATE TABLE `contacts` (
	`account_id` integer NOT NULL,
	`id` integer NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`first_name` text,
	`last_name` text,
	`responsible_user_id` integer,
	`emails` text DEFAULT '[]' NOT NULL,
	`phones` text DEFAULT '[]' NOT NULL,
	`custom_fields` text DEFAULT '[]' NOT NULL,
	`company_id` integer,
	`kommo_updated_at` integer DEFAULT 0 NOT NULL,
	`is_deleted` integer DEFAULT false NOT NULL,
	`synced_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `contacts_updated_idx` ON `contacts` (`account_id`,`kommo_updated_at`);--> statement-breakpoint
CREATE TABLE `custom_fields` (
	`account_id` integer NOT NULL,
	`id` integer NOT NULL,
	`entity` text NOT NULL,
	`name` text NOT NULL,
	`code` text,
	`type` text NOT NULL,
	`sort` integer DEFAULT 0 NOT NULL,
	`enums` text,
	`deleted_at` integer,
	`synced_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `custom_fields_entity_idx` ON `custom_fields` (`account_id`,`entity`);--> statement-breakpoint
CREATE TABLE `kommo_users` (
	`account_id` integer NOT NULL,
	`id` integer NOT NULL,
	`name` text NOT NULL,
	`email` text,
	`is_admin` integer DEFAULT false NOT NULL,
	`is_active` integer DEFAULT true NOT NULL,
	`deleted_at` integer,
	`synced_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `id`)
);
--> statement-breakpoint
CREATE TABLE `leads` (
	`account_id` integer NOT NULL,
	`id` integer NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`price` real,
	`pipeline_id` integer,
	`status_id` integer,
	`responsible_user_id` integer,
	`main_contact_id` integer,
	`contact_ids` text DEFAULT '[]' NOT NULL,
	`company_id` integer,
	`tags` text DEFAULT '[]' NOT NULL,
	`custom_fields` text DEFAULT '[]' NOT NULL,
	`loss_reason_id` integer,
	`closed_at` integer,
	`kommo_created_at` integer,
	`kommo_updated_at` integer DEFAULT 0 NOT NULL,
	`is_deleted` integer DEFAULT false NOT NULL,
	`synced_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `leads_stage_idx` ON `leads` (`account_id`,`pipeline_id`,`status_id`);--> statement-breakpoint
CREATE INDEX `leads_contact_idx` ON `leads` (`account_id`,`main_contact_id`);--> statement-breakpoint
CREATE INDEX `leads_updated_idx` ON `leads` (`account_id`,`kommo_updated_at`);--> statement-breakpoint
CREATE TABLE `pipeline_statuses` (
	`account_id` integer NOT NULL,
	`pipeline_id` integer NOT NULL,
	`id` integer NOT NULL,
	`name` text NOT NULL,
	`sort` integer DEFAULT 0 NOT NULL,
	`color` text,
	`type` integer DEFAULT 0 NOT NULL,
	`is_editable` integer DEFAULT true NOT NULL,
	`deleted_at` integer,
	`synced_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `pipeline_id`, `id`)
);
--> statement-breakpoint
CREATE TABLE `pipelines` (
	`account_id` integer NOT NULL,
	`id` integer NOT NULL,
	`name` text NOT NULL,
	`sort` integer DEFAULT 0 NOT NULL,
	`is_main` integer DEFAULT false NOT NULL,
	`is_archive` integer DEFAULT false NOT NULL,
	`deleted_at` integer,
	`synced_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `id`)
);
--> statement-breakpoint
CREATE TABLE `task_types` (
	`account_id` integer NOT NULL,
	`id` integer NOT NULL,
	`name` text NOT NULL,
	`deleted_at` integer,
	`synced_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `id`)
);
--> statement-breakpoint
CREATE TABLE `oauth_states` (
	`state` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer
);
--> statement-breakpoint
CREATE TABLE `sync_cursors` (
	`account_id` integer NOT NULL,
	`entity` text NOT NULL,
	`updated_from` integer NOT NULL,
	PRIMARY KEY(`account_id`, `entity`)
);
--> statement-breakpoint
CREATE TABLE `sync_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`phase` text,
	`progress` text DEFAULT '{"done":0,"total":null,"percent":0}' NOT NULL,
	`counts` text DEFAULT '{}' NOT NULL,
	`error` text,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `sync_runs_account_idx` ON `sync_runs` (`account_id`,`id`);