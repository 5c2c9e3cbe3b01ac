DROP INDEX `attendees_event_name_idx`;--> statement-breakpoint
CREATE INDEX `attendees_event_name_idx` ON `attendees` (`event_id`,`name`,`id`);