import pytest


@pytest.fixture(autouse=True)
def _no_content_security_policy_violation(page):
    """Every browser journey doubles as a check of the Content-Security-Policy: Chromium reports each refused
    script, style or frame on the console, and a journey that caused one fails."""
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    yield
    assert not violations, f"Refusé par la Content-Security-Policy : {violations}"
