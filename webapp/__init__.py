"""The web application: outreach workers' work queue, administration, the data steward, an API.

A delivery surface with its own templates and static assets: it calls ``connectors`` (and the
re-submission flow) and holds no domain logic of its own.
"""
