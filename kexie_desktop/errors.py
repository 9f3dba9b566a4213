"""Errors that carry a message meant for the user (Chinese)."""


class UserError(Exception):
    """Bad input or a refused operation; ``str(err)`` is a complete Chinese sentence for the user."""
