"""Authentication hardening helpers: the account key django-axes locks on, and how its logs name a client."""

import hashlib


def axes_username(request, credentials):
    """The account an attempt targets, as the login form's address, trimmed and in lower case: changing the case
    of an address must not give an attacker fresh attempts."""
    source = credentials if credentials and "username" in credentials else getattr(request, "POST", {})
    return (source.get("username") or "").strip().lower()


def account_key(username):
    """A pseudonym of an address for the logs (the same address always gives the same key)."""
    return hashlib.sha256((username or "").encode()).hexdigest()[:12]


def axes_client_str(username, ip_address, user_agent, path_info, request):
    """How django-axes names a client in the logs: no e-mail address in clear (personal data stays out of logs)."""
    return f"compte {account_key(username)} depuis {ip_address} sur {path_info}"
