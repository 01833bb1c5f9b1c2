-- bi_capacity (0003) now reads routing's advisers: one row per adviser, current capacity.
CREATE OR REPLACE VIEW bi_capacity AS
SELECT adviser_id::text AS adviser_id, office::text AS office, capacity::integer AS capacity
FROM advisers;
