-- The day the authority's current step is due (受理 or 审查决定, in working days), kept at every
-- transition; NULL when nothing is pending with the authority. Queues filter on it (overdue, due
-- soon) and sort by it, within a city or the province.
ALTER TABLE applications ADD COLUMN due_on TEXT;
CREATE INDEX applications_city_due ON applications(city_code, due_on, id);
CREATE INDEX applications_due ON applications(due_on, id);
