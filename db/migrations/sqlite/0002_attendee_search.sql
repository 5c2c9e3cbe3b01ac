-- Substring search over attendee names and emails for large rosters: an FTS5 trigram index kept
-- in step with the attendees table by triggers (diacritics folded, so "garcia" finds "García").
CREATE VIRTUAL TABLE `attendees_search` USING fts5(name, email_normalized, content='attendees', content_rowid='rowid', tokenize='trigram remove_diacritics 1');
--> statement-breakpoint
INSERT INTO `attendees_search`(`attendees_search`) VALUES ('rebuild');
--> statement-breakpoint
CREATE TRIGGER `attendees_search_insert` AFTER INSERT ON `attendees` BEGIN
  INSERT INTO `attendees_search`(rowid, name, email_normalized) VALUES (new.rowid, new.name, new.email_normalized);
END;
--> statement-breakpoint
CREATE TRIGGER `attendees_search_delete` AFTER DELETE ON `attendees` BEGIN
  INSERT INTO `attendees_search`(`attendees_search`, rowid, name, email_normalized) VALUES ('delete', old.rowid, old.name, old.email_normalized);
END;
--> statement-breakpoint
CREATE TRIGGER `attendees_search_update` AFTER UPDATE OF name, email_normalized ON `attendees` BEGIN
  INSERT INTO `attendees_search`(`attendees_search`, rowid, name, email_normalized) VALUES ('delete', old.rowid, old.name, old.email_normalized);
  INSERT INTO `attendees_search`(rowid, name, email_normalized) VALUES (new.rowid, new.name, new.email_normalized);
END;
