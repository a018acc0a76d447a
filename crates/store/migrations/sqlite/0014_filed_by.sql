-- Who filed an application: the individual, or (where the profile lets enterprises file, 湖南)
-- the employing enterprise on the person's behalf.
ALTER TABLE applications ADD COLUMN filed_by TEXT NOT NULL DEFAULT 'individual';
