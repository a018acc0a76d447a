-- The public record names the event that made a registration's current certificate (证照已加注):
-- found by the certificate, which was a scan of every event (78 ms on PostgreSQL at 300,000
-- people; the query answered 118 a second).
CREATE INDEX registration_events_certificate ON registration_events (certificate_id, id);
