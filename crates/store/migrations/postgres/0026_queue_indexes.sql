-- The province's queues (every city): one state, newest first or soonest due first, read from
-- an index in order and stopped after a page.
CREATE INDEX applications_state_recent ON applications(state, updated_at, id);
CREATE INDEX applications_state_due ON applications(state, due_on, id);
