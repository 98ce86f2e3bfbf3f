from django.apps import AppConfig


class SuiviConfig(AppConfig):
    name = "suivi"
    verbose_name = "Suivi des parcours et des heures"

    def ready(self):
        from suivi import receivers  # noqa: F401 - connects the receivers
