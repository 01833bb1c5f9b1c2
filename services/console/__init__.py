"""The staff console: a web application over the services' public HTTP APIs (docs/console.md)."""
