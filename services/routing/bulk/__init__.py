"""routing's bulk loader (shared.bulk): the first pass of a rebuild, set-based.

- ``mirrors``: msgspec mirrors of the events it reads, generated from the contract's pydantic
  models (shared.events) with a short list of intended differences;
- ``loader``: each record read by a mirror, checked, turned into a staging row (or left to
  the handlers);
- ``merge``: the staging tables and the statements folding them into the projection, made by
  the projection's own ``shared.folds.Fold``."""
