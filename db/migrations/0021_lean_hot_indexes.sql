DROP INDEX `jobs_claim_idx`;--> statement-breakpoint
DROP INDEX `jobs_account_idx`;--> statement-breakpoint
DROP INDEX `rule_events_lead_idx`;--> statement-breakpoint
CREATE INDEX `rule_events_fired_idx` ON `rule_events` (`account_id`,`lead_id`,`created_at`,`fired`) WHERE "rule_events"."fired" <> '';