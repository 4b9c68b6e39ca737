"""User factories: ``UserFactory()`` is a citizen; traits ``officer`` (intake duty),
``specialist``, ``leader``, ``admin``,
``with_profile`` (a valid CCCD for a man born in 1995, address) and ``with_phone`` (a confirmed
mobile number in the canonical ``+84…`` form)."""

import datetime as dt

import factory

from accounts.constants import Duty, Role, Sex
from accounts.models import User
from procedures.tests.factories import AgencyFactory

PASSWORD = "Mat-khau-an-toan-2026"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # base32, for tests only


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"nguoidan{n}@example.vn")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    role = Role.CITIZEN
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    class Params:
        officer = factory.Trait(
            role=Role.OFFICER, agency=factory.SubFactory(AgencyFactory), duty=Duty.INTAKE
        )
        specialist = factory.Trait(officer=True, duty=Duty.SPECIALIST)
        leader = factory.Trait(officer=True, duty=Duty.LEADER)
        admin = factory.Trait(role=Role.ADMIN, is_staff=True, is_superuser=True)
        # 046: Thừa Thiên Huế; 0: a man born in the 1900s; 95: 1995; then 6 unique digits.
        with_profile = factory.Trait(
            id_number=factory.Sequence(lambda n: f"046095{n % 1_000_000:06d}"),
            birth_date=dt.date(1995, 3, 14),
            sex=Sex.MALE,
            address="12 Lê Lợi, phường Thuận Hóa, thành phố Huế",
        )
        with_phone = factory.Trait(
            phone=factory.Sequence(lambda n: f"+8491{n % 10_000_000:07d}"),
            phone_verified=True,
        )

    @factory.post_generation
    def totp(obj, create, extracted, **kwargs):
        """``UserFactory(totp=True)``: two-factor log-in on, with the secret ``TOTP_SECRET``
        (staff need it before the workspace answers)."""
        if create and extracted:
            from allauth.mfa.totp.internal.auth import TOTP

            obj.save()
            TOTP.activate(obj, TOTP_SECRET)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()
