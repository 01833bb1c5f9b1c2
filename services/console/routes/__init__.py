"""One module per screen (its routes); docs/console.md says how to add one."""
