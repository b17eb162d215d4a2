"""Messages kept across the rerun that follows a write, and the one way a control writes."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from dashboard.data import WRITE_ERRORS

T = TypeVar("T")
_STYLES = {"success": st.success, "info": st.info, "error": st.error, "warning": st.warning}


def flash(place: str, kind: str, text: str) -> None:
    """Keep a message to show at `place` after the rerun that follows a write."""
    st.session_state.setdefault(f"flash_{place}", []).append((kind, text))


def show_flashes(place: str) -> None:
    for kind, text in st.session_state.pop(f"flash_{place}", []):
        _STYLES[kind](text)


def write_then_rerun(place: str, write: Callable[[], T], report: Callable[[T], str | list[tuple[str, str]]]) -> None:
    """Run one write. A refused write (bad input, a vanished row, a database held too long) is
    said here; otherwise what `report` makes of the result (a success text, or (kind, text)
    pairs) is kept for `place` and the page reruns to show the change."""
    try:
        result = write()
    except WRITE_ERRORS as error:
        st.error(str(error))
        return
    messages = report(result)
    for kind, text in [("success", messages)] if isinstance(messages, str) else messages:
        flash(place, kind, text)
    st.rerun()
