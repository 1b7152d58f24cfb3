"""Free-text templates for support tickets and CSM notes.

Several phrasings per intent so that a text classifier has to generalise, and a vague variant
for every signal (VAGUE_TEXT_SHARE) so that text alone never settles the cause.
"""

from __future__ import annotations

import numpy as np

from uptake.simulation.catalog import Feature

TICKET_SUBJECTS = {
    "how-to": (
        "How do I {verb} in {name}?",
        "Question about {name}",
        "Need help getting started with {name}",
        "Where are the settings for {name}?",
        "{Name}: how do we {verb}?",
    ),
    "bug": (
        "{Name} not working",
        "Error when trying to {verb}",
        "{Name} fails with an error",
        "Problem with {name} since the last update",
        "Cannot {verb} - keeps failing",
    ),
    "feature-request": (
        "Feature request: {name}",
        "Could {name} {ask}?",
        "Suggestion to improve {name}",
        "Missing option in {name}",
    ),
    "complaint": (
        "Disappointed with {name}",
        "{Name} does not fit how we work",
        "Unhappy with {name}",
        "{Name} is not worth the effort",
    ),
}
TICKET_BODIES = {
    "how-to": (
        "Hi team, we are trying to {verb} but cannot work out the steps. Is there a guide for "
        "{name}?",
        "Our team is new to {name}. Could someone walk us through how to {verb}?",
        "I read the help article on {name} but I am still not sure how to {verb} for our "
        "{use_case} team. What is the recommended setup?",
        "Several of my colleagues asked me how to {verb}. Can you share best practices for {name}?",
    ),
    "bug": (
        "When we try to {verb}, {name} shows the error '{error}'. This started a few days ago.",
        "{Name} stopped working for part of the team: '{error}'. Steps: open it, try to {verb}, "
        "it fails.",
        "Every attempt to {verb} ends with '{error}'. Please investigate, this blocks us.",
    ),
    "feature-request": (
        "{Name} is close to what we need, but it cannot {ask}. Our {use_case} process depends on "
        "that. Is it on the roadmap?",
        "We would use {name} much more if it could {ask}. Today we work around it in spreadsheets.",
        "Request from our {use_case} lead: please let {name} {ask}.",
    ),
    "complaint": (
        "We spent weeks on {name} and it still does not do what our {use_case} team needs. We "
        "are going back to our old process.",
        "Honestly {name} has been a disappointment. It does not match our workflow and the team "
        "has stopped using it.",
        "{Name} was a big reason we bought this plan, and it does not deliver for us.",
    ),
}
GENERAL_TICKETS = {
    "how-to": (
        ("How do I add a new user?", "We hired two people, how do we give them access?"),
        ("Change of billing contact", "Please update our billing contact to our new controller."),
        ("Password reset not arriving", "One of our users does not get the reset email."),
    ),
    "bug": (
        ("Page loads very slowly", "The app has been slow all morning for everyone here."),
        ("Login loop", "After logging in we are sent back to the login page."),
    ),
    "complaint": (
        ("Invoice is wrong", "We were charged for more seats than we have. Please correct it."),
        ("Slow support response", "We waited three days for an answer on our last ticket."),
    ),
}
VAGUE_TICKETS = (
    ("Quick question about {name}", "Can someone from your team get in touch about {name}?"),
    ("{Name}", "Following up on our conversation about {name}. Thanks."),
)
ASKS = (
    "filter by region",
    "export to Excel",
    "handle multiple currencies",
    "connect to our data warehouse",
    "support custom date ranges",
    "work with sub-accounts",
)
ERRORS = ("Request timed out", "Permission denied", "Something went wrong (500)", "Invalid config")

NOTE_BODIES = {
    "confused_note": (
        "Call with {contact}: users are confused by {name} and keep asking how to {verb}. "
        "Offered a walkthrough.",
        "{contact} says the team tried {name} but finds it hard to use; they need more guidance.",
        "Several users struggle with {name}. Suggested the help center and a training session.",
    ),
    "negative_note": (
        "{Name} is not working for them: they tried it for a few weeks and went back to "
        "spreadsheets.",
        "{contact} was frustrated that {name} does not fit their {use_case} process.",
        "Feedback on {name} was negative; they feel it is missing what they need.",
    ),
    "positive_note": (
        "The team gets real value from {name}; {contact} mentioned it in the QBR.",
        "{Name} is now part of their weekly routine. Great progress.",
    ),
    "not_priority_note": (
        "They know {name} is included but it is not a priority this quarter; revisit after "
        "their planning cycle.",
        "{contact} wants to look at {name} later, other projects come first right now.",
    ),
    "not_needed_note": (
        "{Name} does not really apply to how their {use_case} team works.",
        "{contact} confirmed they have no need for {name} at the moment.",
    ),
}
VAGUE_NOTES = (
    "Discussed {name} briefly with {contact}.",
    "Touched on {name} during the check-in; no action agreed.",
)
ROUTINE_NOTES = {
    "positive": (
        "Check-in with {contact}. Usage is healthy and the team is happy; discussed the roadmap.",
        "Great QBR with {contact}: they see clear value and mentioned new teams joining.",
    ),
    "neutral": (
        "Monthly check-in with {contact}. No major issues; they asked about upcoming releases.",
        "Sent the usage summary to {contact}; waiting for feedback.",
    ),
    "negative": (
        "Tough call with {contact}: leadership questions the value and usage is down.",
        "{contact} mentioned budget cuts and that the team logs in less often.",
    ),
}
RENEWAL_NOTES = {
    True: "Customer decided not to renew; cited low usage and budget pressure.",
    False: "Renewal signed with {contact} for another term.",
}


def _fill(
    template: str,
    feature: Feature | None,
    named: bool,
    rng: np.random.Generator,
    use_case: str,
    contact: str,
) -> str:
    name = feature.name if feature is not None and named else "this feature"
    verb = feature.verb if feature is not None else "get this working"
    text = template.format(
        name=name,
        Name=name[0].upper() + name[1:],
        verb=verb,
        ask=ASKS[int(rng.integers(len(ASKS)))],
        error=ERRORS[int(rng.integers(len(ERRORS)))],
        use_case=use_case.lower(),
        contact=contact,
    )
    return text


def ticket_text(
    intent: str,
    feature: Feature | None,
    named: bool,
    vague: bool,
    use_case: str,
    rng: np.random.Generator,
) -> tuple[str, str]:
    """(subject, description) of a ticket with this intent about this feature (or none)."""
    if feature is None:
        options = GENERAL_TICKETS.get(intent, GENERAL_TICKETS["how-to"])
        subject, body = options[int(rng.integers(len(options)))]
        return subject, body
    if vague:
        subject, body = VAGUE_TICKETS[int(rng.integers(len(VAGUE_TICKETS)))]
    else:
        subjects, bodies = TICKET_SUBJECTS[intent], TICKET_BODIES[intent]
        subject = subjects[int(rng.integers(len(subjects)))]
        body = bodies[int(rng.integers(len(bodies)))]
    return (
        _fill(subject, feature, named, rng, use_case, ""),
        _fill(body, feature, named, rng, use_case, ""),
    )


def note_text(
    kind: str,
    feature: Feature | None,
    named: bool,
    vague: bool,
    use_case: str,
    contact: str,
    rng: np.random.Generator,
) -> str:
    """Body of a CSM note: a feature signal (kind in NOTE_BODIES) or a routine sentiment note."""
    if kind in ROUTINE_NOTES:
        options = ROUTINE_NOTES[kind]
    elif vague:
        options = VAGUE_NOTES
    else:
        options = NOTE_BODIES[kind]
    template = options[int(rng.integers(len(options)))]
    return _fill(template, feature, named, rng, use_case, contact)
