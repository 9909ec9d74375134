"""Import every model so Alembic and create_all see the whole schema."""

from portal.applications.models import Application, ApplicationSection, Person, StatusChange
from portal.audit import AuditEntry
from portal.auth.models import User
from portal.campaigns.models import Campaign
from portal.documents.models import UnitTemplate
from portal.jobs.models import Job
from portal.offices.models import Office, RecommendingUnit
from portal.rules.summaries import CheckSummary
from portal.workdays.models import WorkdayOverride

__all__ = [
    "Application",
    "ApplicationSection",
    "AuditEntry",
    "Campaign",
    "CheckSummary",
    "Job",
    "Office",
    "Person",
    "RecommendingUnit",
    "StatusChange",
    "UnitTemplate",
    "User",
    "WorkdayOverride",
]
