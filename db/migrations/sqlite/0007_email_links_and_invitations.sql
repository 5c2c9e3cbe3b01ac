-- Emailed links of every kind (sign-in, confirmation, order, invitation) in one table; the
-- confirmation links still waiting in inboxes move over with the address they were sent to.
CREATE TABLE `email_links` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`purpose` text NOT NULL,
	`email` text NOT NULL,
	`return_to` text DEFAULT '/' NOT NULL,
	`name` text,
	`session_id` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer
);
--> statement-breakpoint
CREATE INDEX `email_links_email_idx` ON `email_links` (`email`,`created_at`);--> statement-breakpoint
INSERT INTO `email_links` (`token_hash`, `purpose`, `email`, `return_to`, `session_id`, `created_at`, `expires_at`, `used_at`)
  SELECT v.`token_hash`, 'verify', u.`email`, '/tickets', NULL, v.`expires_at` - 172800000, v.`expires_at`, v.`used_at`
  FROM `email_verifications` v JOIN `users` u ON u.`id` = v.`user_id`;--> statement-breakpoint
DROP TABLE `email_verifications`;--> statement-breakpoint
-- users.password_hash becomes nullable. SQLite can't drop NOT NULL in place, and the usual table
-- rebuild (foreign_keys=OFF, DROP TABLE users) is unsafe here: the migrator runs in a transaction,
-- where foreign_keys can't be switched off, so dropping `users` would cascade into sessions and
-- event members. A new nullable column takes the hashes over instead, and the old one is dropped
-- (a column no index or key uses can be).
ALTER TABLE `users` ADD `password_hash_nullable` text;--> statement-breakpoint
UPDATE `users` SET `password_hash_nullable` = `password_hash`;--> statement-breakpoint
ALTER TABLE `users` DROP COLUMN `password_hash`;--> statement-breakpoint
ALTER TABLE `users` RENAME COLUMN `password_hash_nullable` TO `password_hash`;--> statement-breakpoint
ALTER TABLE `orders` ADD `buyer_must_prove_email` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `ticket_downloads` ADD `format` text DEFAULT 'pdf' NOT NULL;
--> statement-breakpoint
CREATE TABLE `team_invitations` (
	`id` text PRIMARY KEY NOT NULL,
	`event_id` text NOT NULL,
	`email` text NOT NULL,
	`role` text NOT NULL,
	`invited_by` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`accepted_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`event_id`) REFERENCES `events`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`invited_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `team_invitations_event_email_idx` ON `team_invitations` (`event_id`,`email`);--> statement-breakpoint
ALTER TABLE `email_links` ADD `invitation_id` text;