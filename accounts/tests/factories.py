"""User factories: ``UserFactory()`` is a citizen; traits ``officer`` and ``admin``."""

import factory

from accounts.constants import Role
from accounts.models import User
from procedures.tests.factories import AgencyFactory

PASSWORD = "Mat-khau-an-toan-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"nguoidan{n}@example.vn")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    role = Role.CITIZEN
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    class Params:
        officer = factory.Trait(role=Role.OFFICER, agency=factory.SubFactory(AgencyFactory))
        admin = factory.Trait(role=Role.ADMIN, is_staff=True, is_superuser=True)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()
