-- The signing order each application follows (from the province profile when it was created).
ALTER TABLE applications ADD COLUMN signing_order TEXT NOT NULL DEFAULT 'applicant_first';
