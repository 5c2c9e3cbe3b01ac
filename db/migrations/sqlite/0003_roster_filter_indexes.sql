CREATE INDEX `attendees_event_checked_in_idx` ON `attendees` (`event_id`,`checked_in_at`);--> statement-breakpoint
CREATE INDEX `attendees_event_status_idx` ON `attendees` (`event_id`,`status`);--> statement-breakpoint
CREATE INDEX `attendees_event_type_idx` ON `attendees` (`event_id`,`ticket_type_id`);