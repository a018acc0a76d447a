-- Announcing a publicity batch runs one transaction per application (a stopped announcement
-- leaves each application either wholly announced or still in publicity). The announcing process
-- renews this lease with every application; another may take the batch over only once the lease
-- is two minutes old (its announcer stopped), and finishes the rest.
ALTER TABLE batches ADD COLUMN announce_heartbeat TEXT;
