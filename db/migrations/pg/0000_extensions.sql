-- Roster search (db/search.ts): trigram indexes, and accents folded so "garcia" finds "García".
-- Both extensions are trusted (PostgreSQL 13+): the database owner may create them.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS unaccent;
--> statement-breakpoint
-- unaccent() is only STABLE (its dictionary could change), so it can't be used in an index; this
-- wrapper names the dictionary and promises immutability, as the PostgreSQL docs suggest.
CREATE OR REPLACE FUNCTION admit_fold(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN lower(unaccent('unaccent'::regdictionary, $1));
