"""Errors that carry a message meant for the user (Chinese)."""


class Cancelled(Exception):
    """The user stopped a long task (取消); what it had not committed is rolled back."""


class UserError(Exception):
    """Bad input or a refused operation; ``str(err)`` is a complete Chinese sentence for the user."""


class StaleEdit(UserError):
    """Someone else changed the row since this view read it (another PC on a shared database); nothing of
    this edit was saved and the view should read the row again."""
