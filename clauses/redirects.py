"""Where a `next` or `back` parameter may send the user: a path of this site, nothing else."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_path(request, value) -> str:
    """`value` when it is a path of this site ("/…"), else "".

    Not a full URL (an open redirect), not "//host" or "/\\host" (browsers read both as another host), and not a
    bare word either: `redirect()` takes any text without a slash for a view name to look up, and a hostile one
    was a server error.
    """
    value = value or ""
    if not value.startswith("/") or value.startswith(("//", "/\\")):
        return ""
    allowed = url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return value if allowed else ""
