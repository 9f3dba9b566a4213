"""ui/widgets/lazy_reload: a hidden page reloads once when shown, a shown one at once."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ui.widgets.lazy_reload import LazyReload


class _Page(LazyReload, QWidget):
    def __init__(self):
        super().__init__()
        self.reloads = 0

    def reload(self) -> None:
        self.reloads += 1


def test_a_hidden_page_reloads_once_when_next_shown_and_a_shown_one_at_once(qtbot):
    page = _Page()
    qtbot.addWidget(page)
    page.reload_when_shown()
    page.reload_when_shown()
    assert page.reloads == 0 and page._stale
    with qtbot.waitExposed(page):
        page.show()
    assert page.reloads == 1 and not page._stale
    page.reload_when_shown()
    assert page.reloads == 2
    page.hide()
    page.show()  # nothing changed while hidden: no reload
    assert page.reloads == 2
