-- Identity document numbers at rest (GB/T 39786): `id_number` holds the number sealed under
-- SM4-GCM (`ejs1:`…); exact look-ups go through `id_key`, a keyed SM3 blind index; public and
-- enterprise pages show `id_masked` (first four and last four characters), so they never open
-- the number. The Rust side fills these for rows written before (crate::sealing, once).
ALTER TABLE persons ADD COLUMN id_key TEXT;
ALTER TABLE persons ADD COLUMN id_masked TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX persons_id_key ON persons(id_key);
ALTER TABLE qualifications ADD COLUMN id_key TEXT;
CREATE UNIQUE INDEX qualifications_id_key ON qualifications(id_key, profession, specialty_code);
