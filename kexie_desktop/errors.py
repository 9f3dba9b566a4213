"""Errors that carry a message meant for the user (Chinese)."""


class Cancelled(Exception):
    """The user stopped a long task (取消); what it had not committed is rolled back."""


class UserError(Exception):
    """Bad input or a refused operation; ``str(err)`` is a complete Chinese sentence for the user."""
