from django.apps import AppConfig


class ComitesConfig(AppConfig):
    name = "comites"
    verbose_name = "Comités de suivi et de pilotage"

    def ready(self):
        from comites import (
            receivers,  # noqa: F401 - connects the receivers (anonymisation)
            subject_access,
        )

        subject_access.register()  # the decisions about a person in their subject access export
