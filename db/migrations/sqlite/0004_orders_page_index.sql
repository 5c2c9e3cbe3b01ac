DROP INDEX `orders_event_idx`;--> statement-breakpoint
CREATE INDEX `orders_event_idx` ON `orders` (`event_id`,`created_at`,`id`);