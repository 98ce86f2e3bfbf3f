from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "clauses.accounts"
    label = "accounts"
    verbose_name = "Comptes et organisations"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from clauses.accounts.middleware import start_session_clock

        user_logged_in.connect(
            lambda sender, request, user, **kwargs: start_session_clock(request, user) if request else None,
            dispatch_uid="clauses.accounts.session_clock",
            weak=False,
        )
