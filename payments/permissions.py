"""One function per action on payments, used by pages and API alike."""

from __future__ import annotations

from accounts.constants import Duty
from dossiers import workflow
from dossiers.models import Dossier

# Money is taken and given back at the one-stop counter, by its officers or the leader.
CASHIER_DUTIES = {Duty.INTAKE, Duty.LEADER}


def is_payer(user, dossier: Dossier) -> bool:
    """Only the applicant pays a dossier's fee online and sees the gateway's answers."""
    return bool(user and user.is_authenticated and dossier.applicant_id == user.pk)


def can_see_payments(user, dossier: Dossier) -> bool:
    return is_payer(user, dossier) or workflow.serves(user, dossier)


def can_take_counter_payment(user, dossier: Dossier) -> bool:
    """Officers of the counter (or leaders) serving the dossier's agency; admins."""
    if not workflow.serves(user, dossier):
        return False
    return user.is_portal_admin or user.duty in CASHIER_DUTIES


def can_record_exemption(user, dossier: Dossier) -> bool:
    return can_take_counter_payment(user, dossier)


def can_complete_refund(user, dossier: Dossier) -> bool:
    return can_take_counter_payment(user, dossier)


def can_view_reconciliation(user) -> bool:
    """The daily reconciliation with the gateways is the portal administrators' (finance)."""
    return bool(user and user.is_authenticated and user.is_portal_admin)
