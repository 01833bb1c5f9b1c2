"""Pure view logic of the screens: what to ask the services, and how to show their answers."""
