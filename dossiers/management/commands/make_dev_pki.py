"""Create a development root CA and a signing certificate for every agency that lacks one."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dossiers import dev_pki
from dossiers.signing import passphrase_for
from procedures.models import Agency


class Command(BaseCommand):
    help = (
        "Development only: write a test root CA and a PKCS#12 signing certificate for every "
        "agency into SIGNING_KEY_DIR, so the portal signs results out of the box."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Issue new certificates even where one exists."
        )

    def handle(self, *args, force: bool = False, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "make_dev_pki makes test certificates: production uses the agencies' real ones."
            )
        directory = Path(settings.SIGNING_KEY_DIR)
        dev_pki.root_ca(directory)
        made = kept = 0
        for agency in Agency.objects.order_by("code"):
            path = directory / f"{agency.code}.p12"
            if path.exists() and not force:
                kept += 1
                continue
            passphrase = passphrase_for(agency)
            if not passphrase:
                raise CommandError("Set SIGNING_PASSPHRASE first.")
            dev_pki.issue_agency_certificate(
                directory, code=agency.code, name=agency.name, passphrase=passphrase
            )
            made += 1
        self.stdout.write(
            f"Development PKI in {directory}: {made} certificate(s) issued, {kept} kept; "
            f"trust root {directory / dev_pki.ROOT_CERT}."
        )
