"""The API kit: input and error schemas, the error format, bearer authentication, idempotency.

It imports no domain app; ``passnum.api_v1`` assembles the domains' routers on top of it.
"""
