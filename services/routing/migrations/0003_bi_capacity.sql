-- What routing tells BI about each adviser's capacity (read by bi.workload_daily, docs/bi.md).
-- The advisers' directory is not projected yet: the view is empty and the capacity columns
-- read NULL. When routing keeps its advisers (capacity, office), a later migration replaces
-- this view (CREATE OR REPLACE VIEW, same columns: one row per adviser) and the BI views
-- follow without changing.
CREATE VIEW bi_capacity AS
SELECT
    NULL::text    AS adviser_id,  -- staff id, as cases name it (claimed_by, adviser_id)
    NULL::text    AS office,      -- the adviser's office
    NULL::integer AS capacity     -- cases the adviser can hold at once
WHERE false;
