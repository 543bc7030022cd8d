"""Three people of an onboarding run, shared by the role's end-to-end tests and the unit tests of its input check."""

# One person with a phone, a second email and explicit steps, one on a named template, one without a phone.
PEOPLE = [
    {
        "username": "pstone",
        "first_name": "Pat",
        "last_name": "Stone",
        "email": "pat.stone@example.com",
        "phone": "+15550109001",
        "phone_label": "Work mobile",
        "contact_methods": [{"type": "email", "value": "pat.alias@example.com", "label": "Alias"}],
        "teams": ["Operations"],
        "paging_steps": [
            {"timeout": 1, "rules": [{"type": "push"}, {"type": "sms", "contact": "phone"}, {"type": "email", "contact": "Alias"}]},
            {"timeout": 15, "rules": [{"type": "phone", "contact": "+15550109001"}, {"type": "email", "contact": "email"}]},
        ],
    },
    {
        "username": "rdiaz",
        "first_name": "Rosa",
        "last_name": "Diaz",
        "email": "rosa.diaz@example.com",
        "phone": "+15550109002",
        "teams": ["team-Db4DemoTeamAb002", "Operations"],
        "paging_template": "phone_first",
    },
    {
        "username": "eonly",
        "first_name": "Emil",
        "last_name": "Only",
        "email": "emil.only@example.com",
        "teams": ["database"],
        "paging_template": "email_only",
    },
]
