-- Knowledge entries belong to the account and are shared with agents through knowledge_entry_agents; an
-- entry also records its source (a URL, a file name) and, for a URL import, its status.
-- Hand-edited after drizzle-kit generate: the migrator runs in one transaction, where PRAGMA foreign_keys=OFF
-- is a no-op, so dropping the old knowledge_entries would cascade to its chunks. The chunks and each entry's
-- agent are kept aside and put back (the FTS triggers re-index the chunks), so existing knowledge moves over
-- without a manual step, whatever the foreign_keys setting.
CREATE TABLE `__knowledge_chunks_keep` AS SELECT `id`, `account_id`, `entry_id`, `ord`, `title`, `text` FROM `knowledge_chunks`;
--> statement-breakpoint
CREATE TABLE `__knowledge_owner_keep` AS SELECT `id`, `account_id`, `agent_id` FROM `knowledge_entries`;
--> statement-breakpoint
DELETE FROM `knowledge_chunks`;
--> statement-breakpoint
CREATE TABLE `__new_knowledge_entries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`content` text NOT NULL,
	`question` text,
	`answer` text,
	`source` text,
	`status` text DEFAULT 'ready' NOT NULL,
	`error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer
);
--> statement-breakpoint
INSERT INTO `__new_knowledge_entries`("id", "account_id", "kind", "title", "content", "question", "answer", "created_at") SELECT "id", "account_id", "kind", "title", "content", "question", "answer", "created_at" FROM `knowledge_entries`;
--> statement-breakpoint
DROP TABLE `knowledge_entries`;
--> statement-breakpoint
ALTER TABLE `__new_knowledge_entries` RENAME TO `knowledge_entries`;
--> statement-breakpoint
CREATE INDEX `knowledge_entries_account_idx` ON `knowledge_entries` (`account_id`,`id`);
--> statement-breakpoint
ALTER TABLE `knowledge_chunks` DROP COLUMN `agent_id`;
--> statement-breakpoint
INSERT INTO `knowledge_chunks` (`id`, `account_id`, `entry_id`, `ord`, `title`, `text`) SELECT `id`, `account_id`, `entry_id`, `ord`, `title`, `text` FROM `__knowledge_chunks_keep` ORDER BY `id`;
--> statement-breakpoint
CREATE TABLE `knowledge_entry_agents` (
	`entry_id` integer NOT NULL,
	`agent_id` integer NOT NULL,
	`account_id` integer NOT NULL,
	PRIMARY KEY(`entry_id`, `agent_id`),
	FOREIGN KEY (`entry_id`) REFERENCES `knowledge_entries`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`agent_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `knowledge_entry_agents_agent_idx` ON `knowledge_entry_agents` (`account_id`,`agent_id`,`entry_id`);
--> statement-breakpoint
INSERT INTO `knowledge_entry_agents` (`entry_id`, `agent_id`, `account_id`) SELECT `id`, `agent_id`, `account_id` FROM `__knowledge_owner_keep`;
--> statement-breakpoint
DROP TABLE `__knowledge_chunks_keep`;
--> statement-breakpoint
DROP TABLE `__knowledge_owner_keep`;
