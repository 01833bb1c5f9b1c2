-- What the holder of a case must read before going on (services.advisory.notices): support's
-- answer to the adviser (CaseReturned) or why the case reopened (CaseReopened), the latest of
-- them, until the holder replies, puts the case on hold, escalates or resolves it.
ALTER TABLE cases ADD COLUMN notice text;
ALTER TABLE cases ADD COLUMN notice_text text;
ALTER TABLE cases ADD COLUMN notice_by text;
ALTER TABLE cases ADD COLUMN notice_at timestamptz;

-- The cases already folded get theirs from their history, as a fold of it (a rebuild) would.
WITH latest AS (
    SELECT DISTINCT ON (case_id) case_id, type, event, occurred_at, event_id
    FROM case_history
    WHERE type IN ('CaseReturned', 'CaseReopened')
    ORDER BY case_id, occurred_at DESC, event_id DESC
)
UPDATE cases c
SET notice = CASE
        WHEN l.type = 'CaseReturned' THEN 'support_answer'
        WHEN l.event->>'cause' = 'staff' THEN 'reopened'
        ELSE l.event->>'cause'
    END,
    notice_text = coalesce(l.event->>'note', l.event->>'reason'),
    notice_by = coalesce(l.event->>'returned_by', l.event->>'actor'),
    notice_at = l.occurred_at
FROM latest l
WHERE c.case_id = l.case_id
  AND NOT EXISTS (
      SELECT 1 FROM case_history h
      WHERE h.case_id = l.case_id
        AND h.type IN ('ReplySent', 'WaitingOnMember', 'CaseEscalated', 'CaseResolved')
        AND (h.occurred_at, h.event_id) > (l.occurred_at, l.event_id)
  );
