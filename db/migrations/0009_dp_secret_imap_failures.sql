ALTER TABLE `accounts` ADD `dp_secret` text;--> statement-breakpoint
ALTER TABLE `mail_settings` ADD `imap_failures` text;