"""Helpers shared by the site's features: access, error display, pagination, form fields."""
