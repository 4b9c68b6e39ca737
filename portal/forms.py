"""Form helpers shared by the apps' pages."""

from __future__ import annotations

from django import forms

from portal.errors import DomainError


def show_error(form: forms.Form, error: DomainError) -> None:
    """Put a service's refusal on the form: next to its field, or above the form."""
    if not error.fields:
        form.add_error(None, error.message)
        return
    for name, texts in error.fields.items():
        for text in texts:
            form.add_error(name if name in form.fields else None, text)
