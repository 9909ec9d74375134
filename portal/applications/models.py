"""Applicants (Person) and their yearly applications, stored section by section."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.campaigns.models import Campaign
from portal.extensions import db
from portal.offices.models import Office, RecommendingUnit
from portal.timeutil import utcnow
from portal.vocabulary import LOCKED_STATUSES


class Person(db.Model):
    """An applicant, keyed by ID number within an office, kept across years."""

    __tablename__ = "person"
    __table_args__ = (sa.UniqueConstraint("office_id", "id_number", name="uq_person_office_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    id_number: Mapped[str] = mapped_column(sa.String(18))
    name: Mapped[str] = mapped_column(sa.String(60))

    office: Mapped[Office] = relationship()
    applications: Mapped[list[Application]] = relationship(back_populates="person")


class Application(db.Model):
    """One applicant's submission to one campaign."""

    __tablename__ = "application"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "person_id", name="uq_application_campaign_person"),
        sa.Index("ix_application_office_status", "office_id", "status"),
        sa.Index("ix_application_office_name", "office_id", "name"),
        sa.Index("ix_application_office_updated", "office_id", "updated_at"),
        # The roster reads its totals, and the order of a page, from this index alone (no table
        # row is visited), at any number of applications.
        sa.Index(
            "ix_application_roster",
            "campaign_id",
            "office_id",
            "status",
            "series_code",
            "level",
            "kind",
            "unit_id",
            "name",
        ),
        sa.Index("ix_application_office_unit_name", "office_id", "unit_name", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"), index=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("recommending_unit.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    # Denormalised from the basic-information section for search, sort and lists.
    name: Mapped[str] = mapped_column(sa.String(60))
    # The unit's name, kept on every write (below) and unit rename: the list sorts by it
    # through an index, at any number of applications.
    unit_name: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    id_number: Mapped[str] = mapped_column(sa.String(18), index=True)
    series_code: Mapped[str] = mapped_column(sa.String(40), index=True)
    specialty: Mapped[str] = mapped_column(sa.String(60))
    level: Mapped[str] = mapped_column(sa.String(20), index=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    status: Mapped[str] = mapped_column(sa.String(20), default="draft", index=True)
    submissions: Mapped[int] = mapped_column(default=0)
    returned_reason: Mapped[str] = mapped_column(sa.Text, default="")
    resubmit_due: Mapped[datetime | None] = mapped_column()
    publicity_start: Mapped[date | None] = mapped_column()
    publicity_end: Mapped[date | None] = mapped_column()
    objection_open: Mapped[bool] = mapped_column(default=False)
    # An explicit, audited unlock of a reported or closed application's sections (operations
    # .unlock); cleared by the next status change or by locking again.
    unlocked_at: Mapped[datetime | None] = mapped_column()
    unlocked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    unlock_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    campaign: Mapped[Campaign] = relationship()
    office: Mapped[Office] = relationship()
    unit: Mapped[RecommendingUnit] = relationship()
    person: Mapped[Person] = relationship(back_populates="applications")
    unlocked_by: Mapped[User | None] = relationship(foreign_keys=[unlocked_by_id])
    sections: Mapped[list[ApplicationSection]] = relationship(
        back_populates="application", cascade="all, delete-orphan"
    )

    @property
    def status_label(self) -> str:
        """The status in the campaign's words (已报送州 / 已报送地区 …)."""
        return self.campaign.definition.status_labels().get(self.status, self.status)

    @property
    def locked(self) -> bool:
        """Sections may not change: reported or closed, and not explicitly unlocked."""
        return self.status in LOCKED_STATUSES and self.unlocked_at is None

    def section(self, key: str) -> ApplicationSection | None:
        """The stored section with this key, if any."""
        return next((s for s in self.sections if s.key == key), None)

    def section_data(self, key: str) -> dict:
        """The data of a section, or an empty dict when not yet filled."""
        s = self.section(key)
        return dict(s.data) if s else {}

    def is_first_time(self) -> bool:
        """True when the person has no application at this level in an earlier campaign year.

        An application not yet stored (checked before it is written) has no person yet: the
        person is the one with its ID number in its office.
        """
        if self.person_id is not None:
            same_person = Application.person_id == self.person_id
        else:
            same_person = sa.and_(
                Application.office_id == self.office_id, Application.id_number == self.id_number
            )
        stmt = (
            sa.select(Application.id)
            .join(Campaign, Campaign.id == Application.campaign_id)
            .where(same_person, Application.level == self.level, Campaign.year < self.campaign.year)
            .limit(1)
        )
        return db.session.scalar(stmt) is None

    def applicable_materials(self) -> list:
        """The notice's paper materials for this application's kind, level and first time."""
        return self.campaign.definition.materials_for(self.kind, self.level, self.is_first_time())


@sa.event.listens_for(Application, "before_insert")
@sa.event.listens_for(Application, "before_update")
def _keep_unit_name(_mapper, connection, target: Application) -> None:
    """Copy the unit's name onto the application whenever it is written."""
    unit = target.__dict__.get("unit")  # loaded or just assigned; never lazy-load in a flush
    if unit is not None:
        target.unit_name = unit.name
    elif target.unit_id is not None:
        target.unit_name = connection.scalar(
            sa.select(RecommendingUnit.name).where(RecommendingUnit.id == target.unit_id)
        )


def rename_unit(unit: RecommendingUnit) -> None:
    """Carry a unit's new name onto its applications (their updated_at stays)."""
    db.session.execute(
        sa.update(Application)
        .where(Application.unit_id == unit.id)
        .values(unit_name=unit.name, updated_at=Application.updated_at)
    )


class ApplicationSection(db.Model):
    """One page of an application, saved on its own with an optimistic-lock version."""

    __tablename__ = "application_section"
    __table_args__ = (sa.UniqueConstraint("application_id", "key", name="uq_section_app_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(sa.String(30))
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    complete: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    application: Mapped[Application] = relationship(back_populates="sections")
    updated_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


class StatusChange(db.Model):
    """A workflow transition: who moved the application from which status to which."""

    __tablename__ = "status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str] = mapped_column(sa.String(20))
    to_status: Mapped[str] = mapped_column(sa.String(20))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # What the change altered besides the status (submissions, return, publicity), as it was
    # before: reversing the change puts it back (rules.workflow.reverse_last).
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    # Set on the change that reverses another (an admin's 撤销, with its reason as the note).
    reverses_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("status_change.id", ondelete="SET NULL")
    )

    user: Mapped[User | None] = relationship()
