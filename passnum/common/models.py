"""Models shared by the domains (none yet: triggers are installed from here after every
``migrate``, which Django signals only to apps with a models module)."""
