from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Bilans, tableaux de bord et exports"

    def ready(self):
        from reporting import receivers  # noqa: F401 - connects the receivers
