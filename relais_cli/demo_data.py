"""Realistic demo traffic: members of several offices and languages asking typical questions.
Seeded, so a demo or a test can be reproduced."""

from __future__ import annotations

import random
from typing import Any

# Office -> the languages its members mostly speak (Brussels is mixed).
OFFICE_LANGUAGES: dict[str, tuple[str, ...]] = {
    "bruxelles": ("fr", "nl", "en"),
    "liege": ("fr", "fr", "de"),
    "charleroi": ("fr",),
    "namur": ("fr",),
    "mons": ("fr",),
    "gent": ("nl",),
    "antwerpen": ("nl", "nl", "en"),
}
FIRST_NAMES = {
    "fr": ("Camille", "Louis", "Manon", "Hugo", "Chloé", "Nathan", "Léa", "Théo", "Inès", "Jules"),
    "nl": ("Lotte", "Wout", "Fien", "Lars", "Noor", "Senne", "Marie", "Arne", "Elise", "Jasper"),
    "en": ("Olivia", "James", "Amelia", "Oliver", "Grace"),
    "de": ("Lena", "Jonas", "Mia", "Lukas", "Anna"),
}
LAST_NAMES = {
    "fr": ("Dubois", "Lambert", "Dupont", "Martin", "Leclercq", "Renard", "Lejeune", "Mathieu"),
    "nl": ("Peeters", "Janssens", "Maes", "Jacobs", "Willems", "Claes", "Goossens", "Wouters"),
    "en": ("Smith", "Taylor", "Brown", "Wilson"),
    "de": ("Schmitz", "Krings", "Hilgers", "Mertens"),
}
ACTIVITIES = ("artist", "technician", "trainer", "consultant", "translator", "designer", "musician")
CHANNELS = ("web", "web", "web", "email", "email", "phone", "walk_in")
SUBJECTS: dict[str, dict[str, str]] = {
    "contracts": {
        "fr": "Contrat pour une prestation",
        "nl": "Contract voor een opdracht",
        "en": "Contract for a gig",
        "de": "Vertrag für einen Auftrag",
    },
    "invoicing": {
        "fr": "Facture à un client étranger",
        "nl": "Factuur aan een buitenlandse klant",
        "en": "Invoice to a foreign client",
        "de": "Rechnung an einen Kunden",
    },
    "payments_advances": {
        "fr": "Avance sur paiement",
        "nl": "Voorschot op betaling",
        "en": "Advance on payment",
        "de": "Vorschuss auf Zahlung",
    },
    "expenses": {
        "fr": "Note de frais",
        "nl": "Onkostennota",
        "en": "Expense claim",
        "de": "Spesenabrechnung",
    },
    "social_security_artist_status": {
        "fr": "Attestation du travail des arts",
        "nl": "Kunstwerkattest",
        "en": "Artist work certificate",
        "de": "Künstlerbescheinigung",
    },
    "vat_tax": {
        "fr": "Question TVA",
        "nl": "Vraag over btw",
        "en": "VAT question",
        "de": "Frage zur MwSt",
    },
    "insurance": {
        "fr": "Assurance responsabilité",
        "nl": "Verzekering burgerlijke aansprakelijkheid",
        "en": "Liability insurance",
        "de": "Haftpflichtversicherung",
    },
    "project_guidance": {
        "fr": "Accompagnement de mon projet",
        "nl": "Begeleiding van mijn project",
        "en": "Guidance for my project",
        "de": "Begleitung meines Projekts",
    },
    "cooperative_life": {
        "fr": "Assemblée générale",
        "nl": "Algemene vergadering",
        "en": "General assembly",
        "de": "Generalversammlung",
    },
}
BODIES = {
    "fr": "Bonjour, pourriez-vous m'aider avec ceci ? Merci d'avance.",
    "nl": "Goedendag, kunnen jullie mij hiermee helpen? Alvast bedankt.",
    "en": "Hello, could you help me with this? Thanks in advance.",
    "de": "Guten Tag, können Sie mir dabei helfen? Vielen Dank im Voraus.",
}


def members(count: int, rng: random.Random) -> list[dict[str, Any]]:
    """Demo members spread over the offices, each with a language their office speaks."""
    result = []
    offices = list(OFFICE_LANGUAGES)
    for i in range(count):
        office = offices[i % len(offices)]
        language = rng.choice(OFFICE_LANGUAGES[office])
        name = f"{rng.choice(FIRST_NAMES[language])} {rng.choice(LAST_NAMES[language])}"
        result.append(
            {
                "member_id": f"M-{100000 + i}",
                "name": name,
                "preferred_language": language,
                "home_office": office,
                "activity_type": rng.choice(ACTIVITIES),
            }
        )
    return result


def request_body(member: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """One request of a member, as a channel would POST it to intake."""
    family = rng.choice(list(SUBJECTS))
    language = member["preferred_language"]
    return {
        "member": member,
        "channel": rng.choice(CHANNELS),
        "topic_family": family,
        "subject": SUBJECTS[family][language],
        "body": BODIES[language],
    }


def stream(count: int, seed: int = 7, member_count: int = 120) -> list[dict[str, Any]]:
    """``count`` requests from ``member_count`` members (members ask more than once)."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    people = members(member_count, rng)
    return [request_body(rng.choice(people), rng) for _ in range(count)]
