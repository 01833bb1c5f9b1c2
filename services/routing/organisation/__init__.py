"""routing's organisation: offices and their model, desks, advisers and their absences, as ops
and the administrative team change them over routing's API and as routing's decisions read them.

Pure (no I/O): ``model`` (the organisation a decision sees, and the office lock), ``decisions``
(the changes asked and the fact each becomes), ``seed`` (the demo organisation as facts),
``views`` (the API's answers). I/O: ``commands`` (a change in one transaction, by
shared.commands), ``queries`` (the API's reads), ``store`` (the organisation tables, the fold of
the `organisation` topic)."""
