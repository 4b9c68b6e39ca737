"""One function per action, used by pages and API alike.

Citizens act on their own dossiers; officers on the dossiers of the agencies they serve, by duty
(the table in ``dossiers.workflow``); admins on all.
"""

from __future__ import annotations

from dossiers import workflow
from dossiers.constants import EDITABLE, WITHDRAWABLE, Status
from dossiers.models import Dossier, StoredDocument


def _owner(user, dossier: Dossier) -> bool:
    return bool(user and user.is_authenticated and dossier.applicant_id == user.pk)


def can_view_dossier(user, dossier: Dossier) -> bool:
    """The applicant, or staff serving the dossier's agency (never a draft)."""
    return _owner(user, dossier) or workflow.serves(user, dossier)


def can_edit_dossier(user, dossier: Dossier) -> bool:
    return _owner(user, dossier) and dossier.status in EDITABLE


def can_submit_dossier(user, dossier: Dossier) -> bool:
    return _owner(user, dossier) and dossier.status == Status.DRAFT


def can_delete_dossier(user, dossier: Dossier) -> bool:
    return _owner(user, dossier) and dossier.status == Status.DRAFT


def can_withdraw_dossier(user, dossier: Dossier) -> bool:
    return _owner(user, dossier) and dossier.status in WITHDRAWABLE


def can_answer_supplement(user, dossier: Dossier) -> bool:
    return _owner(user, dossier) and dossier.status == Status.SUPPLEMENT


def can_pay_fee(user, dossier: Dossier) -> bool:
    """The applicant pays an owed fee online (payments app), while the dossier is open."""
    return _owner(user, dossier) and dossier.fee_payable


def can_view_stored_document(user, stored: StoredDocument) -> bool:
    """The owner sees own documents; deleted ones only through the dossiers that use them."""
    return bool(user and user.is_authenticated and stored.owner_id == user.pk)


# --- officers ---------------------------------------------------------------------------------


def can_use_workspace(user) -> bool:
    """Officers and admins; the two-factor requirement is checked by the workspace gate."""
    from accounts.staff import is_staff_member

    return is_staff_member(user)


def _officer_can(user, dossier: Dossier, action: str) -> bool:
    return action in workflow.allowed_now(user, dossier)


def can_receive_dossier(user, dossier: Dossier) -> bool:
    return _officer_can(user, dossier, "receive")


def can_request_supplement(user, dossier: Dossier) -> bool:
    return _officer_can(user, dossier, "request_supplement")


def can_refuse_dossier(user, dossier: Dossier) -> bool:
    return _officer_can(user, dossier, "refuse")


def can_start_dossier(user, dossier: Dossier) -> bool:
    return _officer_can(user, dossier, "start")


def can_assign_dossier(user, dossier: Dossier) -> bool:
    return _officer_can(user, dossier, "assign")


def can_transfer_dossier(user, dossier: Dossier) -> bool:
    return _officer_can(user, dossier, "transfer")


def can_request_payment(user, dossier: Dossier) -> bool:
    return _officer_can(user, dossier, "request_payment")


def can_apologize(user, dossier: Dossier) -> bool:
    return _officer_can(user, dossier, "apologize")


def can_approve_dossier(user, dossier: Dossier) -> bool:
    return _officer_can(user, dossier, "approve")


def can_return_result(user, dossier: Dossier) -> bool:
    return _officer_can(user, dossier, "return")


def can_record_postal_delivery(user, dossier: Dossier) -> bool:
    return _officer_can(user, dossier, "postal_update")


def can_stop_dossier(user, dossier: Dossier) -> bool:
    return _officer_can(user, dossier, "stop")


# --- messages ---------------------------------------------------------------------------------


def can_write_message(user, dossier: Dossier) -> bool:
    """The applicant and the staff serving the dossier talk on a submitted dossier."""
    if dossier.status == Status.DRAFT:
        return False
    return _owner(user, dossier) or workflow.serves(user, dossier)


def can_write_internal_note(user, dossier: Dossier) -> bool:
    """Internal notes are the staff's only: the applicant never reads or writes them."""
    return workflow.serves(user, dossier)


def can_read_internal_notes(user, dossier: Dossier) -> bool:
    return workflow.serves(user, dossier)
