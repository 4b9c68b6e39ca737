"""Public verification of the documents the portal signs (results, receipts, letters).

``/verify/<code>`` says whether a document code belongs to a signed document the portal issued
and that the kept copy is unchanged; a visitor may also upload the PDF they were given, which
is checked (signature, chain to the trust roots, hash recorded at issue) and not kept.
``?format=json`` answers machines. No log-in: the page shows the issuing agency, the signer,
the signing time and the hash, never the applicant.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from dossiers import results
from dossiers.files import check_upload
from dossiers.forms import VerifyForm
from dossiers.views import _lookup_rate, too_many_lookups
from portal.errors import DomainError

MAX_UPLOAD_MB = 20


def _explain(reason: str) -> str:
    """One plain sentence per verdict."""
    return {
        "authentic": _(
            "Authentic: this document was issued and digitally signed by the agency below, "
            "and it has not been changed since."
        ),
        "unknown_code": _(
            "No document with this code was issued through the portal. Check the code against "
            "the paper; if it matches, the document is not genuine."
        ),
        "unsigned": _(
            "This document was issued without a digital signature, so it cannot be "
            "verified here. Ask the agency that issued it."
        ),
        "file_changed": _(
            "The portal's copy of this document no longer matches its signature. "
            "Do not rely on it and contact the agency that issued it."
        ),
        "altered": _(
            "Not authentic: the file was changed after it was signed, or its signature is broken."
        ),
        "untrusted": _(
            "Not issued by the portal: the file is signed, but by a certificate the "
            "portal does not recognise."
        ),
        "not_issued": _(
            "Not issued by the portal: the signature is genuine, but the portal has "
            "no record of issuing this exact file."
        ),
        "unsigned_file": _("This file carries no digital signature."),
        "unreadable": _("This file could not be read as a PDF document."),
        "other_document": _(
            "This file is a genuine document of the portal, but not the one "
            "with the code you entered (see its own code below)."
        ),
    }.get(reason, reason)


def _answer(request, form, verification, *, code="", checked_file=False, status=200):
    if request.GET.get("format") == "json":
        body = verification.as_json() if verification else {"code": "invalid"}
        if verification:
            body["message"] = _explain(verification.reason)
        else:
            body["fields"] = {k: [str(e) for e in v] for k, v in form.errors.items()}
            body["detail"] = " ".join(body["fields"].get("__all__", [])) or _("Check the input.")
        return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    return render(
        request,
        "dossiers/verify.html",
        {
            "form": form,
            "code": code,
            "verification": verification,
            "explanation": _explain(verification.reason) if verification else "",
            "checked_file": checked_file,
        },
        status=status,
    )


def _verify_upload(request, form, code: str):
    """Check the uploaded PDF (throttled: checking costs the server real work)."""
    if too_many_lookups(request, scope="verify"):
        _limit, seconds = _lookup_rate()
        form.add_error(None, _("Too many checks from your connection. Wait a minute and retry."))
        response = _answer(request, form, None, code=code, status=429)
        response["Retry-After"] = str(seconds)
        return response
    upload = form.cleaned_data["file"]
    try:
        check_upload(upload, accepted=["pdf"], max_size_mb=MAX_UPLOAD_MB)
    except DomainError as error:
        form.add_error("file", error.message)
        return _answer(request, form, None, code=code, status=400)
    upload.seek(0)
    verification = results.verify_upload(upload.read(), code=code or None)
    if verification.reason == "unsigned":
        verification = results.Verification(
            authentic=False, reason="unsigned_file", sha256=verification.sha256
        )
    return _answer(request, form, verification, code=code, checked_file=True)


def _impossible_code(form) -> bool:
    """A code with "/" names no document and has no page of its own (``/verify/<code>``):
    said next to the field rather than failing to build that page's address."""
    if "/" not in (form.cleaned_data.get("code") or ""):
        return False
    form.add_error("code", _explain("unknown_code"))
    return True


@csrf_exempt  # a read-only check that anyone may make, machines included: nothing to forge
@require_http_methods(["GET", "POST"])
def verify_home(request):
    """The verification page: a code to look up, a PDF to check, or both."""
    if request.method == "GET":
        code = (request.GET.get("code") or "").strip()
        if code:
            form = VerifyForm({"code": code[:60]})
            if form.is_valid() and _impossible_code(form):
                return _answer(request, form, None, status=400)
            return redirect("verify", code=code[:60])
        return _answer(request, VerifyForm(), None)
    form = VerifyForm(request.POST, request.FILES)
    if not form.is_valid() or _impossible_code(form):
        return _answer(request, form, None, status=400)
    code = form.cleaned_data.get("code") or ""
    if not form.cleaned_data.get("file"):
        return redirect("verify", code=code)
    return _verify_upload(request, form, code)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def verify_document(request, code: str):
    """One document by its code (GET), or a PDF checked against that code (POST)."""
    code = code.strip()[:60]
    if request.method == "POST":
        form = VerifyForm(request.POST or {"code": code}, request.FILES)
        if not form.is_valid():
            return _answer(request, form, None, code=code, status=400)
        return _verify_upload(request, form, code)
    verification = results.verify_code(code)
    status = 404 if verification.reason == "unknown_code" else 200
    return _answer(
        request, VerifyForm(initial={"code": code}), verification, code=code, status=status
    )
