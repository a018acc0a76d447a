-- Who accepts and reviews an application, stamped from the province profile when it is created
-- (`city_then_province`: city 受理/初审, province 复审; `province_only`: the province alone), so
-- applications already under way keep their procedure if the profile changes.
ALTER TABLE applications ADD COLUMN review_stages TEXT NOT NULL DEFAULT 'city_then_province';
