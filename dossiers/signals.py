"""What dossiers tell the rest of the portal (ARCHITECTURE.md: a lower app never imports a
higher one; ``payments`` and ``notifications`` subscribe here instead).

``dossier_event`` is sent for every event written, inside the step's transaction and after the
dossier row is saved: a receiver's writes commit or roll back with the step. Arguments:
``dossier`` (locked, saved) and ``event`` (the ``DossierEvent`` just created).
"""

from django.dispatch import Signal

dossier_event = Signal()
