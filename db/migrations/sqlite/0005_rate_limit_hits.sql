-- Sign-in failures become general rate-limit hits (sign-ins, mail); the rows keep counting.
ALTER TABLE `sign_in_failures` RENAME TO `rate_limit_hits`;--> statement-breakpoint
DROP INDEX IF EXISTS `sign_in_failures_key_at_idx`;--> statement-breakpoint
CREATE INDEX `rate_limit_hits_key_at_idx` ON `rate_limit_hits` (`key`,`at`);
