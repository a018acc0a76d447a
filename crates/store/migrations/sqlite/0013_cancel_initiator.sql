-- Who filed a cancellation request: the individual (the enterprise confirms) or, where the
-- province requires the holder's consent to a forced cancellation (湖南), the enterprise (the
-- individual confirms).
ALTER TABLE cancel_requests ADD COLUMN initiator TEXT NOT NULL DEFAULT 'individual';
