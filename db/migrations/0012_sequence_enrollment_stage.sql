ALTER TABLE `sequence_enrollments` ADD `pipeline_id` integer;--> statement-breakpoint
ALTER TABLE `sequence_enrollments` ADD `status_id` integer;--> statement-breakpoint
ALTER TABLE `sequence_enrollments` ADD `paused_at` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `seq_enrollments_live_uq` ON `sequence_enrollments` (`account_id`,`sequence_id`,`lead_id`) WHERE status IN ('active', 'paused');