from django.apps import AppConfig


class ClausesConfig(AppConfig):
    """The project package is also an app: base UI (templates tags, home pages) and health check."""

    name = "clauses"
    verbose_name = "Clauses"
