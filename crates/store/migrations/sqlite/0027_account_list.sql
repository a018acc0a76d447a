-- The administrator's account list: by role in pages, and found by name (an individual's name,
-- an authority's or enterprise's display name) without reading every account.
CREATE INDEX users_role_id ON users(role, id);
CREATE INDEX users_display_name ON users(display_name);
