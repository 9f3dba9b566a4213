"""A page that follows data changes without rebuilding while nobody looks at it."""

from __future__ import annotations


class LazyReload:
    """Mixin for a page with ``reload()`` (which shows the data again and may clear ``_stale``): a change
    reloads at once while the page is shown, else marks it stale and the next show reloads it."""

    _stale = False

    def reload_when_shown(self) -> None:
        if self.isVisible():
            self.reload()
        else:
            self._stale = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.reload()
