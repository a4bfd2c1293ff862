"""Tables of online (browser) sessions: one row per participant slot of a study.

A slot is what one link stands for: a pseudonymous participant code, the task and stimulus
set it runs, and the SHA-256 of the link's token (the token itself is shown once, by
``mirrorlab links``, and never stored). The slot's ``session_id`` is filled when the link is
first opened, so the session's ``started_at`` is when the participant began. No IP address,
user agent or other identifying value is stored here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.schema import Base, utc_now


class OnlineSlot(Base):
    """One participant link of an online study."""

    __tablename__ = "online_slots"
    __table_args__ = (UniqueConstraint("study", "slot_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    study: Mapped[str] = mapped_column(String(200))
    slot_number: Mapped[int] = mapped_column(Integer)
    participant_code: Mapped[str] = mapped_column(String(100))
    task: Mapped[str] = mapped_column(String(50))
    stimulus_set: Mapped[Optional[str]] = mapped_column(String(200))
    language: Mapped[Optional[str]] = mapped_column(String(10))
    instruction: Mapped[Optional[str]] = mapped_column(String(50))
    #: run options as for ``mirrorlab run``: seed, max_trials, max_practice_trials, practice, params
    options: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    session_id: Mapped[Optional[int]] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    last_seen_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))
