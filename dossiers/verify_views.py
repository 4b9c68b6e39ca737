"""Public verification of the documents the portal signs (results, receipts, letters).

``/verify/<code>`` says whether a document code belongs to a signed document the portal issued
and that the kept copy is unchanged; a visitor may also upload the PDF they were given, which
is checked (signature, chain to the trust roots, hash recorded at issue) and not kept.
``?format=json`` answers machines. No log-in: the page shows the issuing agency, the signer,
the signing time and the hash, never the applicant.
"""

from __future__ import annotations

import re

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from dossiers import results
from dossiers.files import check_upload
from dossiers.forms import VerifyForm
from portal.errors import DomainError
from portal.http import over_rate

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
        "file_missing": _(
            "The portal cannot read its copy of this document right now. Try again later, or "
            "upload the PDF you were given to check it."
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
    if wait := over_rate(request, "verify"):
        form.add_error(None, _("Too many checks from your connection. Wait a minute and retry."))
        response = _answer(request, form, None, code=code, status=429)
        response["Retry-After"] = str(wait)
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


CODE_PATTERN = re.compile(r"^[0-9A-Za-z.\-]{1,60}$")


def _to_code_page(request, code: str):
    """The page of one code, keeping ``?format=json`` for machines."""
    url = reverse("verify", args=[code])
    if request.GET.get("format") == "json":
        url += "?format=json"
    return redirect(url)


@csrf_exempt  # a read-only check that anyone may make, machines included: nothing to forge
@require_http_methods(["GET", "POST"])
def verify_home(request):
    """The verification page: a code to look up, a PDF to check, or both."""
    if request.method == "GET":
        if "code" not in request.GET:
            return _answer(request, VerifyForm(), None)
        form = VerifyForm({"code": (request.GET.get("code") or "")[:60]})
        if not form.is_valid():
            return _answer(request, form, None, status=400)
        return _to_code_page(request, form.cleaned_data["code"])
    form = VerifyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _answer(request, form, None, status=400)
    code = form.cleaned_data.get("code") or ""
    if not form.cleaned_data.get("file"):
        return _to_code_page(request, code)
    return _verify_upload(request, form, code)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def verify_document(request, code: str):
    """One document by its code (GET), or a PDF checked against a code (POST: the code typed
    in the form, else the page's)."""
    code = code.strip()[:60]
    if not CODE_PATTERN.match(code):  # names no document: answered before any query
        verification = results.Verification(authentic=False, reason="unknown_code")
        return _answer(request, VerifyForm(), verification, status=404)
    if request.method == "POST":
        form = VerifyForm(request.POST if "code" in request.POST else {"code": code}, request.FILES)
        if not form.is_valid():
            return _answer(request, form, None, code=code, status=400)
        typed = form.cleaned_data.get("code") or code
        if not form.cleaned_data.get("file"):
            return _to_code_page(request, typed)
        return _verify_upload(request, form, typed)
    if wait := over_rate(request, "verify-code"):
        response = render(request, "dossiers/lookup_throttled.html", status=429)
        response["Retry-After"] = str(wait)
        return response
    verification = results.verify_code(code)
    status = 404 if verification.reason == "unknown_code" else 200
    return _answer(
        request, VerifyForm(initial={"code": code}), verification, code=code, status=status
    )
