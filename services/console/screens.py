"""The console's screens, for the navigation: which roles see each, under which words.

Adding a screen (docs/console.md): a routes module in ``routes/`` (its ``router``), its
templates in ``templates/<screen>/``, its words under ``<screen>.*`` in both catalogs, and
one line here and in ``app.ROUTES``."""

from __future__ import annotations

from dataclasses import dataclass

from shared.identity import Role


@dataclass(frozen=True)
class Screen:
    name: str  # also the i18n group of its words and its templates' folder
    path: str
    roles: frozenset[Role]

    @property
    def label_key(self) -> str:
        return f"nav.{self.name}"


SCREENS: list[Screen] = [
    Screen("adviser", "/queue", frozenset({Role.ADVISER})),
    Screen("support", "/support", frozenset({Role.SUPPORT})),
    Screen("tasks", "/tasks", frozenset({Role.ADMIN_TEAM})),
    Screen("team", "/team", frozenset({Role.TEAM_LEAD})),
    Screen("ops", "/ops", frozenset({Role.OPS})),
]


def visible_to(role: Role) -> list[Screen]:
    return [s for s in SCREENS if role in s.roles]


def home_of(role: Role) -> str:
    """Where a person lands after signing in: their first screen."""
    mine = visible_to(role)
    return mine[0].path if mine else "/welcome"
