-- The person's current photo (set by the paper-certificate exchange and by every certificate
-- issued from an application with a photo), so procedures without an application find it.
ALTER TABLE persons ADD COLUMN photo BYTEA;
ALTER TABLE persons ADD COLUMN photo_mime TEXT;
