from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    name = "procedures"
    verbose_name = "Thủ tục hành chính"

    def ready(self) -> None:
        from procedures import signals  # noqa: F401  (connects cache invalidation)
