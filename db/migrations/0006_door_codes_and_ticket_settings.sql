DROP INDEX `attendees_event_type_idx`;--> statement-breakpoint
-- SQLite adds a NOT NULL column only with a constant default, so existing tickets get '' and are
-- given their door codes right after: 10 Crockford base32 characters (50 bits). SQLite's random()
-- draws from its own CSPRNG (ChaCha20 seeded by the OS); new codes come from server/checkin/door-code.ts.
ALTER TABLE `attendees` ADD `door_code` text NOT NULL DEFAULT '';--> statement-breakpoint
UPDATE `attendees` SET `door_code` = substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', (random() & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', (random() & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', (random() & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', (random() & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', (random() & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', (random() & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', (random() & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', (random() & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', (random() & 31) + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', (random() & 31) + 1, 1);--> statement-breakpoint
CREATE UNIQUE INDEX `attendees_door_code_unique` ON `attendees` (`door_code`);--> statement-breakpoint
CREATE INDEX `attendees_event_type_idx` ON `attendees` (`event_id`,`ticket_type_id`,`checked_in_at`);--> statement-breakpoint
ALTER TABLE `events` ADD `first_published_at` integer;--> statement-breakpoint
ALTER TABLE `events` ADD `cancelled_at` integer;--> statement-breakpoint
-- Events published today count as published (an unpublished one may have been shown before; nothing says so).
UPDATE `events` SET `first_published_at` = `created_at` WHERE `published` = 1;--> statement-breakpoint
ALTER TABLE `ticket_types` ADD `description` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `ticket_types` ADD `sales_start_at` integer;--> statement-breakpoint
ALTER TABLE `ticket_types` ADD `sales_end_at` integer;--> statement-breakpoint
ALTER TABLE `ticket_types` ADD `max_per_order` integer;--> statement-breakpoint
ALTER TABLE `ticket_types` ADD `hidden` integer DEFAULT false NOT NULL;
