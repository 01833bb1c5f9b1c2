"""Moving cases, pure: the staff commands that change who holds a case or where it is (release
it to its queue, reassign it to a colleague, transfer it through routing, reopen it), which
fact each becomes, or the refusal. Team leads make these moves in their own office besides the
staff working the case; ops may reassign.

- ``kinds.py``: the kinds of move staff ask for (the bodies of the move endpoints);
- ``known.py``: what advisory knows of the organisation (routing's facts on `organisation`),
  loaded with the case, and the checks a move's colleague or destination must pass;
- ``decisions.py``: ``decide``, advisory's one entry point for commands (every other command
  goes to ``services.advisory.decisions``), and the fact each move becomes."""
